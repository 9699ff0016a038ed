package dev.zocket.client;

import dev.zocket.ZocketException;
import java.time.Duration;

/**
 * Listens to what a {@link ZocketClient} does, for metrics and monitoring: connections opened and
 * lost, failed connects, reconnect attempts, recoveries, calls with their latency and outcome,
 * messages sent and events received. The client's counterpart of the server's {@code
 * dev.zocket.spi.ZocketObserver}; {@code zocket-micrometer}'s {@code ZocketClientMetrics}
 * implements it with Micrometer meters. Every method has an empty default body, so an observer
 * overrides only what it needs.
 *
 * <pre>{@code
 * ZocketClient client = ZocketClient.builder(uri)
 *     .observer(new ClientObserver() {
 *       @Override
 *       public void onCallCompleted(String route, long nanos, String errorCode) {
 *         if (errorCode != null) log.info("{} failed with {}", route, errorCode);
 *       }
 *     })
 *     .connect();
 * }</pre>
 *
 * <p>A client may have several observers ({@link ZocketClient.Builder#observer}, once per
 * observer); each is told of every occurrence, in the order they were added. A client without
 * observers reads no clock for them.
 *
 * <h2>Threading</h2>
 *
 * Methods are called from the client's I/O thread and from the threads that call its proxies,
 * concurrently, so an implementation must be thread-safe. Each method states where it is called.
 * None may block: they run on the path of the call or connection they report. An exception thrown
 * by an observer is caught; the first one of each observer is logged at warn, the next ones at
 * debug, and the client carries on as if the method had returned.
 *
 * <h2>Cardinality</h2>
 *
 * Routes are those of the client's contracts, a set known in advance; error codes are those of
 * {@link dev.zocket.ErrorCodes}, the server's own, and {@link #CANCELLED}.
 */
public interface ClientObserver {
  /** The error code reported for a call whose future the application cancelled. */
  String CANCELLED = "CANCELLED";

  /**
   * A connection opened: the WebSocket handshake completed and, for a connection resuming a
   * session, the server answered (see {@link #onRecovery}). Called before {@code onOpen} runs.
   *
   * <p>Threading: on the client's I/O thread.
   *
   * @param reconnect false for the client's first connection, true for every later one
   */
  default void onConnected(boolean reconnect) {}

  /**
   * A connection that asked to resume the session of the one that dropped was answered: the server
   * resumed it (every missed event follows) or started a fresh session. Called just before {@link
   * #onConnected}, only for connections that tried to resume (recovery on, and a server that gave a
   * session before).
   *
   * <p>Threading: on the client's I/O thread.
   *
   * @param resumed whether the session was resumed
   */
  default void onRecovery(boolean resumed) {}

  /**
   * An open connection closed: the server closed it, the network dropped it, the {@linkplain
   * ZocketClient.Builder#idleTimeout idle timeout} found it dead, or the application closed the
   * client. Called once per {@link #onConnected}.
   *
   * <p>Threading: on the client's I/O thread.
   *
   * @param code the WebSocket close code, as {@link ZocketClient.CloseListener} receives it ({@code
   *     1006} when the connection was lost without a close frame)
   * @param reason the server's reason, or what happened; never null, possibly empty
   */
  default void onDisconnected(int code, String reason) {}

  /**
   * A connect attempt failed: the server could not be reached, timed out, or refused the handshake
   * (a {@link HandshakeRejectedException}, whose code tells {@code UNAUTHORIZED} from {@code
   * FORBIDDEN} and the rest).
   *
   * <p>Threading: on the client's I/O thread, or on the thread that started the attempt when a
   * header's supplier threw.
   *
   * @param error why; its {@link ZocketException#code() code} is the error code
   */
  default void onConnectFailed(ZocketException error) {}

  /**
   * The client will try to connect again after {@code delay}, under its {@link ReconnectPolicy},
   * after a drop or a failed attempt.
   *
   * <p>Threading: on the client's I/O thread.
   *
   * @param attempt the attempt, counting from 1 after each drop
   * @param delay how long the client waits before it
   */
  default void onReconnectScheduled(int attempt, Duration delay) {}

  /**
   * A call ended: with its reply, an error reply, a timeout, the loss of its connection, an
   * interceptor's error, or its future cancelled. The time covers the client's interceptors and the
   * round trip. Told before the call's future completes, so what the application does once it has
   * the reply comes after.
   *
   * <p>Threading: on the thread that completed the call: the I/O thread for a reply, a timeout or a
   * drop; the calling thread when the call failed before it was sent; the cancelling thread.
   *
   * @param route the call's route, for example {@code "rooms.members"}
   * @param nanos from the proxy method's call to the end of the call
   * @param errorCode null for a reply, else its error code: the server's (for example {@code
   *     "FORBIDDEN"}), {@code TIMEOUT}, {@code DISCONNECTED}, {@link #CANCELLED}, or {@code
   *     INTERNAL} for an exception without code
   */
  default void onCallCompleted(String route, long nanos, String errorCode) {}

  /**
   * A message (a send without reply) was handed to the connection, or to the {@link
   * WhileDisconnected} buffer while there is none.
   *
   * <p>Threading: on the thread that called the proxy method.
   *
   * @param route the message's route
   */
  default void onMessageSent(String route) {}

  /**
   * An event with at least one listener arrived, before it is handed to the interceptors and the
   * listeners.
   *
   * <p>Threading: on the client's I/O thread.
   *
   * @param route the event's route
   * @param errorCode null when its payload bound and validated; else the code of the refusal (the
   *     event is dropped and goes to {@code onError}), for example {@code "INVALID_PAYLOAD"}
   */
  default void onEventReceived(String route, String errorCode) {}
}
