package dev.zocket.internal;

import dev.zocket.Context;

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
}
