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

  /** Queues one encoded frame to this connection; returns immediately. */
  void send(byte[] frame);
}
