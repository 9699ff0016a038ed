package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.RouteDescriptor;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a client's proxies send: messages, on the open connection or as {@link WhileDisconnected}
 * says, and calls, each with a new {@code rpcId} and its timeout. Thread-safe.
 */
final class Outbound {
  private final EnvelopeWriter writer;
  private final ConnectionLifecycle lifecycle;
  private final long callTimeoutMillis;
  private final CallbackThread callbacks;
  private final AtomicLong rpcIds = new AtomicLong();

  /**
   * @param callTimeoutMillis how long a call waits for its reply unless its method says otherwise
   */
  Outbound(
      EnvelopeWriter writer,
      ConnectionLifecycle lifecycle,
      long callTimeoutMillis,
      CallbackThread callbacks) {
    this.writer = writer;
    this.lifecycle = lifecycle;
    this.callTimeoutMillis = callTimeoutMillis;
    this.callbacks = callbacks;
  }

  /**
   * Sends a message that expects no answer; returns at once.
   *
   * @throws ZocketException with code {@code DISCONNECTED} if it cannot be sent or kept
   */
  void send(RouteDescriptor route, Object payload) {
    byte[] frame = writer.encodeRequest(route.route(), payload, route.hasPayload(), null);
    lifecycle.send(route.route(), frame);
  }

  /** Sends a call; the future fails with {@code DISCONNECTED} at once when not connected. */
  CompletableFuture<Object> call(RouteDescriptor route, Object payload) {
    ClientHandler handler = lifecycle.current();
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new ZocketException(
              ErrorCodes.DISCONNECTED,
              "Not connected; the call " + route.route() + " was not sent"));
    }
    String rpcId = Long.toString(rpcIds.incrementAndGet());
    byte[] frame = writer.encodeRequest(route.route(), payload, route.hasPayload(), rpcId);
    long timeout = route.timeoutMillis() > 0 ? route.timeoutMillis() : callTimeoutMillis;
    return handler.calls().call(rpcId, route, frame, timeout);
  }

  /**
   * A stream's publisher (extension): each subscriber starts the stream anew on the open
   * connection, and fails with {@code DISCONNECTED} (on the callback thread, after {@code
   * onSubscribe}) when there is none. The start waits for the server's answer as a call does.
   */
  Flow.Publisher<Object> stream(RouteDescriptor route, Object payload) {
    return subscriber -> {
      Objects.requireNonNull(subscriber, "subscriber == null");
      ClientHandler handler = lifecycle.current();
      if (handler == null) {
        callbacks.run(
            () -> {
              subscriber.onSubscribe(NOTHING);
              subscriber.onError(
                  new ZocketException(
                      ErrorCodes.DISCONNECTED,
                      "Not connected; the stream " + route.route() + " was not started"));
            });
        return;
      }
      String rpcId = Long.toString(rpcIds.incrementAndGet());
      byte[] frame = writer.encodeRequest(route.route(), payload, route.hasPayload(), rpcId);
      long timeout = route.timeoutMillis() > 0 ? route.timeoutMillis() : callTimeoutMillis;
      handler.calls().streams().start(rpcId, route, frame, timeout, writer, callbacks, subscriber);
    };
  }

  /** The subscription of a stream that failed before it started. */
  private static final Flow.Subscription NOTHING =
      new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      };
}
