package dev.zocket.internal;

import dev.zocket.spi.Target;

/**
 * Where emitted events go: the transport's SPI for sending one event to a {@link Target}. The
 * default implementation is the server's in-process room registry; other implementations may carry
 * room and broadcast traffic to other nodes.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Delivery {
  /**
   * Sends an event to every connection of a target, once each. The event is written once, on the
   * calling thread, before anything is sent, and the same bytes go to every recipient.
   *
   * @param route the event's route, for observers
   * @param target the recipients
   * @param event the event's text
   * @throws RuntimeException what {@link Outgoing#writeTo} threw; then nothing was sent
   */
  void deliver(String route, Target target, Outgoing event);
}
