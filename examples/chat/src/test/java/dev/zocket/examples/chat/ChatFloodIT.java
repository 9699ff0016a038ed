package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packaged chat server with its default configuration and a 256 MiB heap, flooded: one member
 * writes 200,000 messages of about 1 KB into a room of three, one member has stopped reading, and
 * the healthy member, reading in a process of its own with the Java client, must receive all of
 * them in order. The stalled member is closed with 1013 and sees the code when it reads again; the
 * server stays up and answers new clients.
 *
 * <p>The sender writes as fast as the healthy member reads, at most {@value #WINDOW} messages ahead
 * of what it has received: the server does not slow a sender down for the room's readers, so a
 * reader that falls 64 MiB behind (the default limit per connection, and the server-wide budget
 * with this heap) is a slow consumer, however healthy. Unpaced, the healthy member's process, on a
 * machine loaded by other work, once fell that far behind a sender writing as fast as it could and
 * was closed with 1013 too. The stalled member reads nothing, so every message still waits for it
 * until it is closed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class ChatFloodIT {
  private static final Logger log = LoggerFactory.getLogger(ChatFloodIT.class);
  private static final int MESSAGES = 200_000;
  private static final String ROOM = "flood";
  private static final String PAD = "p".repeat(1000);

  /**
   * How many messages the sender may be ahead of what the healthy member has received: at most
   * about 6,000 messages (a few MiB) wait for it then, far below what the server allows, and the
   * stalled member is still more than 64 MiB behind long before the end.
   */
  private static final int WINDOW = 5_000;

  private final Processes processes = new Processes();

  @AfterEach
  void stop() throws InterruptedException {
    processes.stop();
  }

  @Test
  void aHealthyMemberGetsEveryMessageWhileAStalledOneIsClosed() throws Exception {
    Processes.ChatServer chat =
        processes.chatServer(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));
    Processes.Output server = chat.output();
    int port = chat.port();
    String url = "ws://127.0.0.1:" + port + "/";

    Processes.Output healthy =
        processes.main(FloodReader.class, url, ROOM, String.valueOf(MESSAGES));
    healthy.await(Pattern.compile("^JOINED$"));

    try (RawClient stalled = RawClient.connect(port, "/?user-name=Stalled", 4096);
        RawClient sender = RawClient.connect(port, "/?user-name=Sender")) {
      join(stalled, "Stalled");
      join(sender, "Sender");

      // The sender is a member too: it reads (and drops) its own messages, as a client does.
      AtomicInteger echoed = new AtomicInteger();
      AtomicReference<String> senderClosed = new AtomicReference<>();
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (echoed.get() < MESSAGES) {
                    RawClient.Frame f = sender.read();
                    if (f == null || f.opcode() == RawClient.CLOSE) {
                      senderClosed.set(f == null ? "ended" : "closed with " + f.closeStatus());
                      return;
                    }
                    if (f.opcode() == RawClient.TEXT) {
                      echoed.incrementAndGet();
                    }
                  }
                } catch (IOException e) {
                  senderClosed.set(e + " after " + echoed.get() + " of its messages");
                }
              },
              "sender-drain");
      drain.start();

      // Once the server says it closed the stalled member, it reads again: the close comes next.
      CompletableFuture<Integer> stalledClose =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  server.await(Pattern.compile("Closing client .* with 1013 as a slow consumer"));
                  return readUntilClose(stalled);
                } catch (InterruptedException | IOException e) {
                  throw new IllegalStateException(e);
                }
              });

      long start = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        if (i % FloodReader.PROGRESS == 0 && i - WINDOW >= FloodReader.PROGRESS) {
          // Lines are awaited in order: each call reads on from the last one it matched.
          healthy.await(Pattern.compile("^RECEIVED " + (i - WINDOW) + "$"));
        }
        sender.sendRaw(
            RawClient.frame(
                RawClient.TEXT,
                true,
                0,
                ("{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\""
                        + ROOM
                        + "\",\"content\":\""
                        + i
                        + "|"
                        + PAD
                        + "\"}}")
                    .getBytes(UTF_8)));
      }
      long sent = System.nanoTime();
      healthy.await(Pattern.compile("^DONE " + MESSAGES + "$"));
      long received = System.nanoTime();
      log.info(
          "{} messages of {} bytes sent in {} ms, all received in order by the healthy member after"
              + " {} ms",
          MESSAGES,
          PAD.length(),
          TimeUnit.NANOSECONDS.toMillis(sent - start),
          TimeUnit.NANOSECONDS.toMillis(received - start));

      assertThat(stalledClose.get(60, TimeUnit.SECONDS)).isEqualTo(1013);
      drain.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(senderClosed.get()).as("the sender's connection").isNull();
      assertThat(echoed.get()).isEqualTo(MESSAGES);
    }

    // The server is still up and answers new clients.
    HttpResponse<String> page = chat.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    try (ChatMember late = new ChatMember(URI.create(url), "Late")) {
      late.joinAndWait(ROOM);
      late.post(ROOM, "still here");
      late.nextMessage(ROOM, "Late", "still here");
    }
    log.info("Server heap after the flood: {}", heapInfo(server.process.pid()));
    assertThat(server.process.isAlive()).isTrue();
  }

  /** Joins the room and reads up to the member's own join notice. */
  private static void join(RawClient c, String name) throws IOException {
    c.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + ROOM + "\"}}");
    String own = "\"userName\":\"" + name + "\"";
    for (RawClient.Frame f = c.read(); ; f = c.read()) {
      assertThat(f).as(name + "'s join notice").isNotNull();
      if (f.opcode() == RawClient.TEXT
          && f.text().contains("rooms.onJoin")
          && f.text().contains(own)) {
        return;
      }
    }
  }

  /** Reads the events that were on their way, then the close frame; returns its status. */
  private static int readUntilClose(RawClient c) throws IOException {
    for (RawClient.Frame f = c.read(); f != null; f = c.read()) {
      if (f.opcode() == RawClient.CLOSE) {
        return f.closeStatus();
      }
    }
    return -1;
  }

  /** The server's heap as {@code jcmd GC.heap_info} tells it, or why it cannot. */
  private static String heapInfo(long pid) {
    try {
      Process jcmd =
          new ProcessBuilder(
                  java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "jcmd")
                      .toString(),
                  String.valueOf(pid),
                  "GC.heap_info")
              .redirectErrorStream(true)
              .start();
      String out = new String(jcmd.getInputStream().readAllBytes(), UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out.replace('\n', ' ').trim();
    } catch (IOException e) {
      return "(jcmd: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }
}
