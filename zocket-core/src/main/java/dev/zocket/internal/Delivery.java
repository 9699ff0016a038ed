package dev.zocket.internal;

/**
 * Where emitted events go: the transport's SPI for sending one encoded frame to a {@link Target}.
 * The default implementation is the server's in-process room registry; other implementations may
 * carry room and broadcast traffic to other nodes.
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Delivery {
  /**
   * Sends an encoded frame to every connection of a target, once each.
   *
   * @param target the recipients
   * @param frame the encoded event; the same array is shared by all recipients and must not be
   *     changed
   */
  void deliver(Target target, byte[] frame);
}
