package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a server tells its {@link ZocketObserver}s about handshakes and connections, over real
 * sockets, and that a failing observer disturbs nothing else.
 */
@Timeout(60)
class ObserverTest {
  /** Records handshakes and connections as lines; client ids only as "id". */
  static final class Recorder implements ZocketObserver {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void onHandshakeRejected(HandshakeRejection reason, int httpStatus) {
      lines.add("rejected " + reason + " " + httpStatus);
    }

    @Override
    public void onConnectionOpened(String clientId) {
      lines.add("opened " + (clientId.isEmpty() ? "" : "id"));
    }

    @Override
    public void onConnectionClosed(String clientId, int closeCode) {
      lines.add("closed " + closeCode);
    }

    @Override
    public void onMessageHandled(
        String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String error) {
      lines.add("handled " + route + " " + kind + " " + error);
    }
  }

  /** Throws from every method it overrides. */
  static final class Failing implements ZocketObserver {
    @Override
    public void onConnectionOpened(String clientId) {
      throw new IllegalStateException("observer bug");
    }

    @Override
    public void onMessageReceived(String route, MessageKind kind) {
      throw new IllegalStateException("observer bug");
    }

    @Override
    public void onMessageHandled(
        String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String error) {
      throw new IllegalStateException("observer bug");
    }
  }

  private final Recorder recorder = new Recorder();

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void handshakeRejectionsAreReportedWithTheirReasonAndStatus() throws IOException {
    try (ZocketServer s =
        Servers.standard()
            .path("/ws")
            .authenticate(
                request -> {
                  String auth = request.headers().get("x-auth");
                  if ("none".equals(auth)) {
                    throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Log in first");
                  }
                  if ("guest".equals(auth)) {
                    throw new ZocketException(ErrorCodes.FORBIDDEN, "Guests may not connect");
                  }
                })
            .observer(recorder)
            .start()) {
      int port = s.port();
      assertThat(RawClient.upgrade(port, "/other?user-name=A", Map.of()).status()).isEqualTo(404);
      assertThat(
              exchange(
                  port,
                  "GET /ws?user-name=A HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 8\r\n\r\n"))
          .startsWith("HTTP/1.1 426 ");
      assertThat(RawClient.upgrade(port, "/ws?user-name=A", Map.of("x-auth", "none")).status())
          .isEqualTo(401);
      assertThat(RawClient.upgrade(port, "/ws?user-name=A", Map.of("x-auth", "guest")).status())
          .isEqualTo(403);
      assertThat(RawClient.upgrade(port, "/ws?user-name=" + "x".repeat(30), Map.of()).status())
          .isEqualTo(400);
      assertThat(RawClient.upgrade(port, "/ws?user-name=%zz", Map.of()).status()).isEqualTo(400);

      assertThat(recorder.lines)
          .containsExactly(
              "rejected NOT_FOUND 404",
              "rejected UNSUPPORTED_VERSION 426",
              "rejected UNAUTHORIZED 401",
              "rejected FORBIDDEN 403",
              "rejected INVALID_HEADERS 400",
              "rejected BAD_REQUEST 400");
    }
  }

  @Test
  void connectionsAreReportedOpenedAndClosedWithTheirCloseCode() {
    ZocketServer s = Servers.standard().observer(recorder).start();
    try (JdkClient leaving = JdkClient.connect(s.port(), "?user-name=A");
        JdkClient staying = JdkClient.connect(s.port(), "?user-name=B")) {
      leaving.sync();
      staying.sync();
      leaving.close();
      Await.until("the first close reported", () -> recorder.lines.contains("closed 1000"));
      s.close(); // closes the other with 1001, once its messages were handled
      // The two connections' reports interleave; a message is reported after its reply was sent.
      assertThat(recorder.lines)
          .containsExactlyInAnyOrder(
              "opened id",
              "opened id",
              "handled t.seq CALL null",
              "handled t.seq CALL null",
              "closed 1000",
              "closed 1001");
      assertThat(recorder.lines.indexOf("closed 1000"))
          .isLessThan(recorder.lines.indexOf("closed 1001"));
    } finally {
      s.close();
    }
  }

  @Test
  void aFailingObserverDisturbsNeitherTheServerNorTheOtherObservers() {
    try (ZocketServer s = Servers.standard().observer(new Failing()).observer(recorder).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      c.sync();
      c.sync();
      Await.until("both messages reported", () -> recorder.lines.size() == 3);
      assertThat(recorder.lines)
          .containsExactly("opened id", "handled t.seq CALL null", "handled t.seq CALL null");
    }
  }

  /** Sends a raw request and reads the whole answer, until the server closes. */
  private static String exchange(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
