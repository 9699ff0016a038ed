package dev.zocket.testsupport;

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

/**
 * A test client on the JDK's WebSocket that speaks the wire protocol as raw JSON text: it queues
 * every text message it receives and records the close status. Its listener methods run on the
 * JDK's WebSocket threads; the others on the test's.
 */
public class JdkWebSocket implements WebSocket.Listener, AutoCloseable {
  /** The JDK HTTP client every instance connects with, for tests that make their own requests. */
  public static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final AtomicInteger ids = new AtomicInteger();

  /** The text messages received and not taken yet, in order. */
  public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

  /** The close status the server sent, or -1 when the connection failed without one. */
  public final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();

  private final StringBuilder partial = new StringBuilder();
  private WebSocket ws;

  /** A client to {@link #open}. */
  protected JdkWebSocket() {}

  /** Connects to {@code uri}, sending {@code headers} with the upgrade request, within 10 s. */
  public static JdkWebSocket connect(URI uri, Map<String, String> headers) {
    JdkWebSocket c = new JdkWebSocket();
    c.open(uri, headers);
    return c;
  }

  /** Connects this client, once. */
  protected final void open(URI uri, Map<String, String> headers) {
    WebSocket.Builder b = HTTP.newWebSocketBuilder();
    headers.forEach(b::header);
    ws = b.buildAsync(uri, this).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends a text message. */
  public void send(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Sends a call of {@code type} with a payload (JSON, or null for none); returns its rpcId. */
  public String call(String type, String payloadJson) {
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

  /** The next text message, waiting for it up to {@link Await#DEFAULT_TIMEOUT}. */
  public String next() {
    return Await.next("a message", messages);
  }

  /** The close status, waiting up to 10 s for the connection to close. */
  public int awaitClose() {
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

  /** The JDK's WebSocket, for what the methods here do not cover. */
  public WebSocket socket() {
    return ws;
  }

  /** Sends a normal close frame unless the output is closed, then drops the connection. */
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
