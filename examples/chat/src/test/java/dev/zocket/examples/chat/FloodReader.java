package dev.zocket.examples.chat;

import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A healthy chat member in a process of its own, for {@link ChatFloodIT}: joins a room with the
 * Java client and checks that the messages {@code "<n>|..."} arrive complete and in order, printing
 * {@code JOINED}, {@code RECEIVED <n>} every {@value #PROGRESS}, and at the end {@code DONE <n>},
 * or {@code GAP expected <n>, got <m>} or {@code CLOSED <code>} (then it exits with 1).
 *
 * <pre>java -cp ... dev.zocket.examples.chat.FloodReader ws://127.0.0.1:3000/ room count</pre>
 */
public final class FloodReader {
  /** How many messages apart the {@code RECEIVED <n>} lines are. */
  static final int PROGRESS = 1_000;

  private FloodReader() {}

  /**
   * Runs the reader.
   *
   * @param args the server's URL, the room, the number of messages to expect
   */
  public static void main(String[] args) throws InterruptedException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String room = args[1];
    int count = Integer.parseInt(args[2]);
    CountDownLatch done = new CountDownLatch(1);
    int[] next = {0};
    ZocketClient client =
        ZocketClient.builder(URI.create(args[0]))
            .header("user-name", "Healthy")
            .reconnect(ReconnectPolicy.disabled())
            .on(
                RoomEvents.class,
                new RoomEvents() {
                  @Override
                  public void onJoin(Joined event) {
                    if (event.userName().equals("Healthy")) {
                      out.println("JOINED");
                    }
                  }

                  @Override
                  public void onLeave(Left event) {}

                  @Override
                  public void onMessage(ChatMessage message) {
                    String content = message.content();
                    int seq = Integer.parseInt(content.substring(0, content.indexOf('|')));
                    if (seq != next[0]) {
                      out.println("GAP expected " + next[0] + ", got " + seq);
                      System.exit(1);
                    }
                    next[0]++; // one callback thread
                    if (next[0] % PROGRESS == 0) {
                      out.println("RECEIVED " + next[0]);
                    }
                    if (next[0] == count) {
                      done.countDown();
                    }
                  }
                })
            .onClose(
                (code, reason) -> {
                  if (done.getCount() > 0) {
                    out.println("CLOSED " + code + " " + reason);
                    System.exit(1);
                  }
                })
            .onOpen(c -> c.proxy(Rooms.class).join(new RoomId(room)))
            .connect();
    if (!done.await(10, TimeUnit.MINUTES)) {
      out.println("TIMEOUT after " + next[0]);
      System.exit(1);
    }
    out.println("DONE " + next[0]);
    client.close();
  }
}
