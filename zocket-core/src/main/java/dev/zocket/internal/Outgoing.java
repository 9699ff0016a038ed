package dev.zocket.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * One outgoing frame's text, written on demand: a transport encodes it straight into a buffer of
 * its own (with room left for its framing) instead of receiving a copy. Written once per send,
 * however many connections receive it.
 */
@FunctionalInterface
public interface Outgoing {
  /**
   * Writes the frame as UTF-8 JSON.
   *
   * @throws tools.jackson.core.JacksonException if {@code out} fails (Jackson wraps its {@code
   *     IOException})
   * @throws RuntimeException if the payload cannot be serialized; nothing should then be sent
   */
  void writeTo(OutputStream out);

  /** The frame as a new array, for a consumer without buffers of its own (tests, a backplane). */
  default byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    writeTo(out);
    return out.toByteArray();
  }
}
