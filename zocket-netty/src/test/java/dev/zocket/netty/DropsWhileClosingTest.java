package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls that arrive while the server closes their connection are each handled or counted as dropped
 * ({@link DropReason#CLOSING}), never lost: those read in the same socket read as the call whose
 * handling began the close (on the I/O thread, a {@code @NonBlocking} route, so the close begins
 * while the frame decoder still holds them), and those the client sends once the close has begun.
 * Before, on a plain socket, both were dropped unparsed and counted nowhere, and {@code
 * ReplyMemoryTest}, which waits for every call of its attackers to be handled or counted, timed out
 * now and then.
 */
@Timeout(60)
class DropsWhileClosingTest {
  /** The calls that follow the one that begins the close, in the same write. */
  private static final int HELD = 20;

  /** The calls sent once the close has begun. */
  private static final int LATER = 5;

  /** More than a socket's send buffer takes (4 MiB at most here): the rest waits in Netty's. */
  private static final int REPLY_CHARS = 8 << 20;

  /** Routes on the I/O thread: a call that closes, one with a large answer, one to count. */
  @NonBlocking
  @Namespace("q")
  public interface Quits {
    String thread();

    void quit();

    String blob();

    int count(int n);
  }

  static final class QuitsHandler implements Quits {
    private final Context<?> ctx;

    QuitsHandler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public String thread() {
      return Thread.currentThread().getName();
    }

    @Override
    public void quit() {
      ctx.close();
    }

    @Override
    public String blob() {
      return "b".repeat(REPLY_CHARS);
    }

    @Override
    public int count(int n) {
      return n;
    }
  }

  private final HandledAndClosed observer = new HandledAndClosed("q.count");

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void callsReadWithACallThatClosesTheConnectionAreCountedAsDropped() throws Exception {
    try (ZocketServer server =
            Servers.standard().handle(Quits.class, QuitsHandler::new).observer(observer).start();
        RawClient c = RawClient.connect(server.port(), "/?user-name=A")) {
      awaitInlineHandling(c);
      c.sendRaw(calls("q.quit"));
      RawClient.Frame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(close.closeStatus()).isEqualTo(1000);
      c.sendRaw(later());
      // The server ended its stream after the close frame; ours ends the connection.
      assertThat(c.awaitEof()).isTrue();
      c.close();
      Await.until("the connection closed", () -> observer.closed.get() == 1);
      assertThat(observer.handled).hasValue(0);
      assertThat(server.droppedMessages(DropReason.CLOSING)).isEqualTo(HELD + LATER);
      assertThat(server.droppedMessages()).isEqualTo(HELD + LATER);
    }
  }

  @Test
  void callsReadWithACallWhoseReplyCutsASlowConsumerAreCountedAsDropped() throws Exception {
    try (ZocketServer server =
            Servers.standard()
                .handle(Quits.class, QuitsHandler::new)
                .writeBufferWaterMark(32 * 1024, 64 * 1024)
                .slowConsumerLimits(256 * 1024, Duration.ofSeconds(30))
                .observer(observer)
                .start();
        RawClient c = RawClient.connect(server.port(), "/?user-name=A", 4096)) {
      awaitInlineHandling(c);
      // The reply of 8 MiB fills what the client does not read, past the limit of 256 KiB: the
      // connection is cut (1013) as the reply is written, before the calls after it are decoded.
      c.sendRaw(calls("q.blob"));
      Await.until("the slow consumer cut", () -> server.slowConsumersClosed() == 1);
      c.sendRaw(later());
      Await.until(
          "every call after the cut counted",
          () -> server.droppedMessages(DropReason.CLOSING) >= HELD + LATER);
      assertThat(observer.handled).hasValue(0);
      assertThat(server.droppedMessages(DropReason.CLOSING)).isEqualTo(HELD + LATER);
      assertThat(server.droppedMessages()).isEqualTo(HELD + LATER);
      c.abort();
      Await.until("the connection closed", () -> observer.closed.get() == 1);
    }
  }

  @Test
  void callsBeforeThePeersCloseFrameInTheSameWriteAreHandled() throws Exception {
    try (ZocketServer server =
            Servers.standard().handle(Quits.class, QuitsHandler::new).observer(observer).start();
        RawClient c = RawClient.connect(server.port(), "/?user-name=A")) {
      awaitInlineHandling(c);
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.write(calls(null));
      wire.write(RawClient.frame(RawClient.CLOSE, true, 0, new byte[] {0x03, (byte) 0xe8}));
      c.sendRaw(wire.toByteArray());
      // Frames after a close frame are not read as messages (RFC 6455 5.5.1, and Netty's decoder
      // skips them): none is sent here.
      assertThat(c.awaitEof()).isTrue();
      c.close();
      Await.until("the connection closed", () -> observer.closed.get() == 1);
      assertThat(observer.handled.get() + server.droppedMessages(DropReason.CLOSING))
          .isEqualTo(HELD);
      assertThat(server.droppedMessages()).isEqualTo(server.droppedMessages(DropReason.CLOSING));
    }
  }

  /**
   * Calls {@code q.thread} until it runs on the I/O thread: the connection's {@code onConnect} is
   * done and nothing of it is queued, so the next {@code @NonBlocking} call runs while its frame is
   * decoded. At most 100 tries.
   */
  private static void awaitInlineHandling(RawClient c) throws IOException {
    for (int i = 0; i < 100; i++) {
      c.sendRaw(call("q.thread", "t" + i, null));
      RawClient.Frame reply = c.readSkippingPings();
      if (reply.text().contains("zocket-io")) {
        return;
      }
    }
    throw new AssertionError("q.thread never ran on the I/O thread");
  }

  /** One write: the call {@code first} (none if null), then {@link #HELD} calls of q.count. */
  private static byte[] calls(String first) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    if (first != null) {
      wire.write(call(first, "first", null));
    }
    for (int k = 0; k < HELD; k++) {
      wire.write(call("q.count", "h" + k, k));
    }
    return wire.toByteArray();
  }

  /** {@link #LATER} calls of q.count in one write. */
  private static byte[] later() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int k = 0; k < LATER; k++) {
      wire.write(call("q.count", "l" + k, k));
    }
    return wire.toByteArray();
  }

  private static byte[] call(String type, String rpcId, Integer payload) {
    String json =
        "{\"type\":\""
            + type
            + "\""
            + (payload == null ? "" : ",\"payload\":" + payload)
            + ",\"rpcId\":\""
            + rpcId
            + "\"}";
    return RawClient.frame(RawClient.TEXT, true, 0, json.getBytes(StandardCharsets.UTF_8));
  }
}
