package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A test client on the JDK's WebSocket: records every text message and the close status. */
final class JdkClient implements WebSocket.Listener, AutoCloseable {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final AtomicInteger ids = new AtomicInteger();

  final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  static JdkClient connect(int port, String query) {
    return connect(port, query, Map.of());
  }

  static JdkClient connect(int port, String query, Map<String, String> headers) {
    JdkClient c = new JdkClient();
    WebSocket.Builder b = HTTP.newWebSocketBuilder();
    headers.forEach(b::header);
    c.ws =
        b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/" + query), c)
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    return c;
  }

  void send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends a call and returns its rpcId. */
  String call(String type, String payloadJson) {
    String id = "r" + ids.incrementAndGet();
    send(
        "{\"type\":\""
            + type
            + "\""
            + (payloadJson == null ? "" : ",\"payload\":" + payloadJson)
            + ",\"rpcId\":\""
            + id
            + "\"}");
    return id;
  }

  /** The next text message, waiting for it. */
  String next() {
    return Await.next("a message", messages);
  }

  /** Makes a round trip and asserts nothing else arrived before its reply. */
  void sync() {
    String id = call("t.seq", "0");
    assertThat(next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"seq 0\",\"rpcId\":\"" + id + "\"}");
  }

  int awaitClose() {
    return closeStatus.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeStatus.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeStatus.complete(-1);
  }

  WebSocket socket() {
    return ws;
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
          .orTimeout(10, TimeUnit.SECONDS)
          .exceptionally(t -> null)
          .join();
    }
    ws.abort();
  }
}
