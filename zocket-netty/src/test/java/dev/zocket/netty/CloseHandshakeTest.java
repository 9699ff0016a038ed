package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closes the server starts complete the closing handshake: a peer that keeps sending while the
 * server closes it still reads the close frame with its code, never a reset; and the server answers
 * a peer's close frame with a code RFC 6455 allows.
 */
@Timeout(120)
class CloseHandshakeTest {
  private static final int ROUNDS = 200;

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aPeerThatKeepsSendingSees1008EveryTime() throws Exception {
    try (ZocketServer s =
        Servers.standard().rateLimit(1, 3).rateLimitPolicy(RateLimitPolicy.CLOSE).start()) {
      assertEveryRoundSees(1008, s.port(), null);
    }
  }

  @Test
  void aPeerThatKeepsSendingSees1009EveryTime() throws Exception {
    try (ZocketServer s = Servers.standard().maxFrameSize(1024).start()) {
      String tooBig = "{\"type\":\"t.record\",\"payload\":\"" + "x".repeat(2000) + "\"}";
      assertEveryRoundSees(1009, s.port(), tooBig);
    }
  }

  /**
   * Runs {@link #ROUNDS} connections that each send messages without pause (after {@code first}, if
   * any) until they read the server's close frame, and asserts each read the code.
   */
  private static void assertEveryRoundSees(int code, int port, String first) throws Exception {
    TreeMap<Integer, Integer> seen = new TreeMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      seen.merge(roundTrip(port, first), 1, Integer::sum);
    }
    assertThat(seen)
        .as("close codes seen in %d rounds (-1: no close frame, -2: a write failed)", ROUNDS)
        .containsOnlyKeys(code);
  }

  private static int roundTrip(int port, String first) throws Exception {
    try (RawClient c = RawClient.connect(port, "/?user-name=A")) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean writeFailed = new AtomicBoolean();
      CountDownLatch sent = new CountDownLatch(1);
      Thread sender =
          new Thread(
              () -> {
                try {
                  if (first != null) {
                    c.sendText(first);
                  }
                  byte[] frame =
                      RawClient.frame(
                          RawClient.TEXT,
                          true,
                          0,
                          "{\"type\":\"t.record\",\"payload\":\"more\"}"
                              .getBytes(StandardCharsets.UTF_8));
                  for (int i = 0; i < 100_000 && !stop.get(); i++) {
                    c.sendRaw(frame);
                    if (i == 1_000) {
                      sent.countDown();
                    }
                  }
                } catch (IOException e) {
                  // A real client (a browser, the JDK's) fails on a write error: the server must
                  // not reset a stream that still delivers data, before the peer has read the
                  // close.
                  writeFailed.set(!stop.get());
                } finally {
                  sent.countDown();
                }
              });
      sender.start();
      // Reads only once the server has had time to close, so a reset would come first.
      sent.await();
      int status = -1;
      try {
        for (RawClient.Frame f = c.read(); f != null; f = c.read()) {
          if (f.opcode() == RawClient.CLOSE) {
            status = f.payload().length >= 2 ? ByteBuffer.wrap(f.payload()).getShort() & 0xffff : 0;
            break;
          }
        }
      } catch (SocketException e) {
        status = -1; // reset before the close frame
      }
      stop.set(true);
      sender.join();
      return writeFailed.get() ? -2 : status;
    }
  }

  @Test
  void aPeersCloseIsAnsweredWithItsCodeOrWith1002() throws Exception {
    try (ZocketServer s = Servers.standard().start()) {
      List<String> answers = new ArrayList<>();
      for (int code : new int[] {1000, 1001, 1003, 1011, 1013, 3000, 4999}) {
        answers.add(code + " -> " + answer(s.port(), closeBody(code, "bye")));
      }
      for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
        answers.add(code + " -> " + answer(s.port(), closeBody(code, "")));
      }
      answers.add("empty -> " + answer(s.port(), new byte[0]));
      answers.add("one byte -> " + answer(s.port(), new byte[] {3}));
      byte[] badReason = closeBody(1000, "");
      badReason = java.util.Arrays.copyOf(badReason, 4);
      badReason[2] = (byte) 0xc3; // a lone lead byte
      badReason[3] = (byte) 0x28;
      answers.add("bad reason -> " + answer(s.port(), badReason));
      assertThat(answers)
          .containsExactly(
              "1000 -> 1000",
              "1001 -> 1001",
              "1003 -> 1003",
              "1011 -> 1011",
              "1013 -> 1013",
              "3000 -> 3000",
              "4999 -> 4999",
              "0 -> 1002",
              "999 -> 1002",
              "1004 -> 1002",
              "1005 -> 1002",
              "1006 -> 1002",
              "1015 -> 1002",
              "1016 -> 1002",
              "2999 -> 1002",
              "5000 -> 1002",
              "65535 -> 1002",
              "empty -> none",
              "one byte -> 1002",
              "bad reason -> 1007");
    }
  }

  private static byte[] closeBody(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r).array();
  }

  /** Sends a close frame and returns the code of the server's answer, then expects EOF. */
  private static String answer(int port, byte[] body) throws IOException {
    try (RawClient c = RawClient.connect(port, "/?user-name=A")) {
      c.send(RawClient.CLOSE, true, body);
      RawClient.Frame f = c.readSkippingPings();
      assertThat(f).isNotNull();
      assertThat(f.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(c.awaitEof()).isTrue();
      return f.payload().length >= 2
          ? String.valueOf(ByteBuffer.wrap(f.payload()).getShort() & 0xffff)
          : "none";
    }
  }
}
