package dev.zocket.internal;

import dev.zocket.Context;
import java.util.concurrent.Flow;

/**
 * The transport's side of one connection, as the {@link Dispatcher} needs it.
 *
 * <p>Implementations must let {@link #send} be called from any thread.
 */
public interface Connection {
  /** The connection's context, handed to interceptors. */
  Context<?> context();

  /** The handler instance at an index of {@link RouteTable#newHandlers}. */
  Object handler(int index);

  /**
   * Answers a call: writes {@code frame} once, on the calling thread, and queues the bytes to this
   * connection; returns without waiting for the network. Called exactly once per call.
   *
   * @throws RuntimeException what {@link Outgoing#writeTo} threw; nothing was queued and the call
   *     is still owed an answer
   */
  void send(Outgoing frame);

  /**
   * Starts a stream (extension): answers its start, then subscribes to the publisher the handler
   * returned and sends its items under the client's credits. Called once per accepted start, on the
   * thread that ran the handler, instead of {@link #send}.
   *
   * @throws RuntimeException if the start could not be answered; the dispatcher then answers it
   *     with the error and calls {@link #streamRefused}
   * @throws UnsupportedOperationException from a transport without streams (the default)
   */
  default void openStream(String rpcId, RouteDescriptor route, Flow.Publisher<?> publisher) {
    throw new UnsupportedOperationException("This transport has no streams");
  }

  /**
   * A stream's start was answered with an error (its handler failed, or it returned no publisher):
   * whatever the transport holds for the stream is released. Any thread; nothing by default.
   */
  default void streamRefused(String rpcId) {}
}
