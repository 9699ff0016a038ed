package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.internal.Protocol;
import dev.zocket.test.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client whose session another connection resumed is closed with {@link Protocol#TAKEN_OVER} and
 * does not reconnect: two clients holding one session token would otherwise take it from each other
 * in turn. The server here is a few lines of socket code that says exactly that, once.
 */
@Timeout(30)
class TakenOverTest {
  @Test
  void aClientClosedAsTakenOverStaysClosedWhileOtherClosesReconnect() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread serving =
          new Thread(
              () -> {
                // The first connection is closed with 1012 (restart), the second as taken over.
                for (int code : new int[] {1012, Protocol.TAKEN_OVER}) {
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    serve(s, code);
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "fake-server");
      serving.setDaemon(true);
      serving.start();

      BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();
      try (ZocketClient client =
          ZocketClient.builder(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"))
              .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(50)))
              .onClose((code, reason) -> closes.add(code))
              .connect()) {
        assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(1012);
        assertThat(closes.poll(10, TimeUnit.SECONDS)).isEqualTo(Protocol.TAKEN_OVER);
        Await.until(
            "the client closed for good", () -> client.state() == ZocketClient.State.CLOSED);
        assertThat(accepted).hasValue(2);
      }
    }
  }

  /** Upgrades, sends a fresh session message, then a close frame with {@code code}. */
  private static void serve(Socket s, int code) throws IOException {
    InputStream in = s.getInputStream();
    String key = null;
    for (String line = line(in); !line.isEmpty(); line = line(in)) {
      if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    OutputStream out = s.getOutputStream();
    out.write(
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: "
                + accept(key)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    frame(
        out,
        0x1,
        "{\"type\":\"__session\",\"payload\":{\"session\":\"t\",\"pos\":\"0\",\"recovered\":false}}"
            .getBytes(StandardCharsets.UTF_8));
    byte[] reason = "Session resumed by another connection".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[reason.length + 2];
    body[0] = (byte) (code >> 8);
    body[1] = (byte) code;
    System.arraycopy(reason, 0, body, 2, reason.length);
    frame(out, 0x8, body);
    out.flush();
    s.setSoTimeout(5_000);
    try {
      while (in.read() >= 0) {
        // the client's close frame, until it closes the socket
      }
    } catch (IOException e) {
      // closed or timed out: this connection is over either way
    }
  }

  private static void frame(OutputStream out, int opcode, byte[] payload) throws IOException {
    out.write(0x80 | opcode);
    out.write(payload.length); // every frame here is under 126 bytes
    out.write(payload);
  }

  private static String accept(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest(
                  (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                      .getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("closed in the HTTP head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
