package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The message that makes the server close its connection is counted as dropped with the reason it
 * was refused, and those read after it as {@link DropReason#CLOSING}: every message of a write is
 * handled or counted. Over the rate limit under {@link RateLimitPolicy#CLOSE} (1008) the message is
 * {@link DropReason#RATE_LIMITED}, as under {@link RateLimitPolicy#REJECT}; a text message that is
 * not UTF-8 (1007) is {@link DropReason#MALFORMED}, as a binary one would be. Before, neither was
 * handled nor counted.
 */
@Timeout(60)
class MessagesThatCloseAreCountedTest {
  /** The messages of the write. */
  private static final int N = 12;

  /** The burst of the rate limit: the messages handled before the one over the rate. */
  private static final int BURST = 3;

  private final HandledAndClosed observer = new HandledAndClosed(null);

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void theMessageOverTheRateIsRateLimitedAndThoseAfterItClosing() throws Exception {
    assertOverTheRate(false);
  }

  @Test
  void theCallOverTheRateIsRateLimitedAndThoseAfterItClosing() throws Exception {
    assertOverTheRate(true);
  }

  @Test
  void textThatIsNotUtf8IsMalformedAndThoseAfterItClosing() throws Exception {
    try (ZocketServer server = Servers.standard().observer(observer).start();
        RawClient c = RawClient.connect(server.port(), "/?user-name=A")) {
      awaitOpened();
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.write(
          RawClient.frame(RawClient.TEXT, true, 0, new byte[] {'"', (byte) 0xc3, 0x28, '"'}));
      wire.write(messages(N - 1, false));
      c.sendRaw(wire.toByteArray());
      assertClosedWith(c, 1007);
      awaitEveryMessageHandledOrCounted(server);
      assertThat(observer.handled).hasValue(0);
      assertThat(server.droppedMessages(DropReason.MALFORMED)).isEqualTo(1);
      assertThat(server.droppedMessages(DropReason.CLOSING)).isEqualTo(N - 1);
      assertThat(server.droppedMessages()).isEqualTo(N);
    }
  }

  /**
   * {@link #N} messages (calls if {@code calls}) in one write to a server that allows {@link
   * #BURST} at once and closes beyond: those within the burst are handled, the next is counted
   * {@code RATE_LIMITED} as it closes the connection with 1008, the rest {@code CLOSING}.
   */
  private void assertOverTheRate(boolean calls) throws Exception {
    try (ZocketServer server =
            Servers.standard()
                .rateLimit(1, BURST)
                .rateLimitPolicy(RateLimitPolicy.CLOSE)
                .observer(observer)
                .start();
        RawClient c = RawClient.connect(server.port(), "/?user-name=A")) {
      awaitOpened();
      c.sendRaw(messages(N, calls));
      assertClosedWith(c, 1008);
      awaitEveryMessageHandledOrCounted(server);
      // One more than the burst if a token was refilled meanwhile (one a second).
      assertThat(observer.handled.get()).isBetween(BURST, BURST + 1);
      assertThat(server.droppedMessages(DropReason.RATE_LIMITED)).isEqualTo(1);
      assertThat(server.droppedMessages(DropReason.CLOSING))
          .isEqualTo(N - observer.handled.get() - 1);
      assertThat(server.droppedMessages()).isEqualTo(N - observer.handled.get());
    }
  }

  /**
   * Waits until the server has opened the connection ({@code onConnect} done). A connection closed
   * while {@code onConnect} still runs is never opened, so neither reported closed nor handling a
   * message: the messages must arrive after the opening for the counts below to be the ones
   * asserted.
   */
  private void awaitOpened() {
    Await.until("the connection opened", () -> observer.opened.get() == 1);
  }

  /** Reads up to the server's close frame and asserts its code; then ends the connection. */
  private void assertClosedWith(RawClient c, int code) throws IOException {
    RawClient.Frame f = c.readSkippingPings();
    for (int i = 0; i < N && f.opcode() != RawClient.CLOSE; i++) {
      f = c.readSkippingPings(); // replies to calls handled before the close
    }
    assertThat(f.opcode()).as("the close frame").isEqualTo(RawClient.CLOSE);
    assertThat(f.closeStatus()).isEqualTo(code);
    // The server ended its stream after the close frame; ours ends the connection.
    assertThat(c.awaitEof()).isTrue();
    c.close();
    Await.until("the connection closed", () -> observer.closed.get() == 1);
  }

  private void awaitEveryMessageHandledOrCounted(ZocketServer server) {
    Await.until(
        "each of the " + N + " messages handled or counted as dropped",
        () -> observer.handled.get() + server.droppedMessages() == N);
  }

  /** {@code n} frames in one write: calls of t.seq if {@code calls}, else t.record messages. */
  private static byte[] messages(int n, boolean calls) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      String json =
          calls
              ? "{\"type\":\"t.seq\",\"payload\":" + i + ",\"rpcId\":\"c" + i + "\"}"
              : "{\"type\":\"t.record\",\"payload\":\"r" + i + "\"}";
      wire.writeBytes(
          RawClient.frame(RawClient.TEXT, true, 0, json.getBytes(StandardCharsets.UTF_8)));
    }
    return wire.toByteArray();
  }
}
