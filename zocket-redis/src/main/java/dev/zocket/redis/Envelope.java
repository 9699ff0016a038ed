package dev.zocket.redis;

import dev.zocket.spi.Target;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of one event on a Redis channel: a small header naming the origin node, where the event
 * stands in the origin's numbering of its events on that channel, a message id and the target,
 * followed by the encoded event frame as is.
 *
 * <pre>
 * version:u8=2  kind:u8  origin:str  epoch:i64  seq:i64  id:i64  ids:count,str*  except:count,str*
 * frame:rest
 * str = length:i32 then UTF-8 bytes; count = i32
 * </pre>
 *
 * The epoch and sequence number are the origin's count of its events on the channel (see {@link
 * Sequences}): a receiver that sees a number skip knows how many it missed ({@link Arrivals}). They
 * are written by {@link #number} as the event is sent, at a place that depends only on the origin,
 * so one encoding serves every channel. The id is 0 for an event published on a single channel; an
 * event to several rooms is published on each room's channel with one id, unique per origin, so
 * that a node subscribed to several of them delivers it once. A node of version 1 ignores version 2
 * envelopes: the nodes of a cluster are upgraded together. Thread-safe (stateless).
 */
final class Envelope {
  static final byte VERSION = 2;
  private static final Target.Kind[] KINDS = Target.Kind.values();

  final String origin;
  final long epoch;
  final long seq;
  final long id;
  final Target target;
  final byte[] frame;

  private Envelope(String origin, long epoch, long seq, long id, Target target, byte[] frame) {
    this.origin = origin;
    this.epoch = epoch;
    this.seq = seq;
    this.id = id;
    this.target = target;
    this.frame = frame;
  }

  /** Encodes an event numbered 0 in epoch 0, to be {@linkplain #number numbered} as it is sent. */
  static byte[] encode(String origin, long id, Target target, byte[] frame) {
    byte[] originBytes = origin.getBytes(StandardCharsets.UTF_8);
    List<byte[]> ids = utf8(target.ids());
    List<byte[]> except = utf8(target.except());
    int size = 2 + 4 + originBytes.length + 24 + size(ids) + size(except) + frame.length;
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(VERSION).put((byte) target.kind().ordinal());
    out.putInt(originBytes.length).put(originBytes);
    out.putLong(0).putLong(0).putLong(id);
    put(out, ids);
    put(out, except);
    out.put(frame);
    return out.array();
  }

  /**
   * Writes an event's place in its origin's numbering into its encoding.
   *
   * @param envelope an encoding made by {@link #encode} with this origin
   * @param originLength the length of the origin in UTF-8 bytes
   */
  static void number(byte[] envelope, int originLength, long epoch, long seq) {
    ByteBuffer.wrap(envelope, 6 + originLength, 16).putLong(epoch).putLong(seq);
  }

  /**
   * Reads the origin only, to drop a node's own events without decoding the rest.
   *
   * @return the origin, or null if the bytes are not an envelope
   */
  static String origin(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != VERSION) {
        return null;
      }
      in.get();
      return string(in);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Decodes an envelope.
   *
   * @return the envelope, or null if the bytes are not one
   */
  static Envelope decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != VERSION) {
        return null;
      }
      int kind = in.get();
      if (kind < 0 || kind >= KINDS.length) {
        return null;
      }
      String origin = string(in);
      long epoch = in.getLong();
      long seq = in.getLong();
      long id = in.getLong();
      List<String> ids = strings(in);
      List<String> except = strings(in);
      byte[] frame = Arrays.copyOfRange(bytes, in.position(), bytes.length);
      return new Envelope(origin, epoch, seq, id, new Target(KINDS[kind], ids, except), frame);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return null;
    }
  }

  private static List<byte[]> utf8(List<String> strings) {
    List<byte[]> out = new ArrayList<>(strings.size());
    for (String s : strings) {
      out.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static int size(List<byte[]> strings) {
    int size = 4;
    for (byte[] s : strings) {
      size += 4 + s.length;
    }
    return size;
  }

  private static void put(ByteBuffer out, List<byte[]> strings) {
    out.putInt(strings.size());
    for (byte[] s : strings) {
      out.putInt(s.length).put(s);
    }
  }

  private static String string(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("bad string length " + length);
    }
    String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }

  private static List<String> strings(ByteBuffer in) {
    int count = in.getInt();
    if (count < 0 || count > in.remaining() / 4) {
      throw new IllegalArgumentException("bad count " + count);
    }
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(string(in));
    }
    return out;
  }
}
