package dev.zocket.netty;

import dev.zocket.internal.Outgoing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * Complete WebSocket text frames (RFC 6455 section 5.2: final, unmasked, the shortest length
 * encoding, then the payload) in pooled direct buffers, written below the WebSocket encoder (see
 * {@link ServerConnection#write}). The text is encoded straight into the buffer after room left for
 * the longest header, and the header is then put just before it.
 */
final class TextFrames {
  /** The longest header: opcode byte, length byte, 64-bit length. */
  private static final int HEADER_ROOM = 10;

  /** A first guess at a frame's size; the buffer grows when the text is longer. */
  private static final int INITIAL_CAPACITY = 256;

  private TextFrames() {}

  /**
   * The frame of a text written by {@code text}.
   *
   * @throws RuntimeException what {@link Outgoing#writeTo} threw (the buffer is released)
   */
  static ByteBuf encode(ByteBufAllocator alloc, Outgoing text) {
    ByteBuf buf = alloc.directBuffer(INITIAL_CAPACITY);
    try {
      buf.writerIndex(HEADER_ROOM);
      text.writeTo(new ByteBufOutputStream(buf));
      return withHeader(buf);
    } catch (RuntimeException | Error e) {
      buf.release();
      throw e;
    }
  }

  /**
   * How much a frame being encoded with {@link #encode(ByteBufAllocator, Outgoing, LongConsumer)}
   * grows between two charges.
   */
  static final int CHARGE_STEP = 64 * 1024;

  /**
   * The frame of a text written by {@code text}, charging {@code charge} with {@link #CHARGE_STEP}
   * bytes each time the text has grown by as much, so that what a large frame takes is counted
   * while it is being written, not only once it is complete.
   *
   * @return the frame, and in {@code charged[0]} the bytes charged
   * @throws RuntimeException what {@link Outgoing#writeTo} or {@code charge} threw (the buffer is
   *     released; what was charged is in {@code charged[0]})
   */
  static ByteBuf encode(
      ByteBufAllocator alloc, Outgoing text, LongConsumer charge, long[] charged) {
    ByteBuf buf = alloc.directBuffer(INITIAL_CAPACITY);
    try {
      buf.writerIndex(HEADER_ROOM);
      text.writeTo(
          new ByteBufOutputStream(buf) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              super.write(b, off, len);
              charged();
            }

            @Override
            public void write(int b) throws IOException {
              super.write(b);
              charged();
            }

            private void charged() {
              while (buf.writerIndex() > charged[0] + CHARGE_STEP) {
                charge.accept(CHARGE_STEP);
                charged[0] += CHARGE_STEP;
              }
            }
          });
      return withHeader(buf);
    } catch (RuntimeException | Error e) {
      buf.release();
      throw e;
    }
  }

  /** The frame of a text already encoded, such as an event received from another node. */
  static ByteBuf of(ByteBufAllocator alloc, byte[] text) {
    ByteBuf buf = alloc.directBuffer(HEADER_ROOM + text.length);
    buf.writerIndex(HEADER_ROOM).writeBytes(text);
    return withHeader(buf);
  }

  /** The header length of a frame made here, from its second byte. */
  static int headerLength(ByteBuf frame) {
    int length = frame.getByte(frame.readerIndex() + 1) & 0x7f;
    return length < 126 ? 2 : length == 126 ? 4 : 10;
  }

  private static ByteBuf withHeader(ByteBuf buf) {
    int n = buf.writerIndex() - HEADER_ROOM;
    int start;
    if (n < 126) {
      start = HEADER_ROOM - 2;
      buf.setByte(start + 1, n);
    } else if (n < 65536) {
      start = HEADER_ROOM - 4;
      buf.setByte(start + 1, 126);
      buf.setShort(start + 2, n);
    } else {
      start = 0;
      buf.setByte(1, 127);
      buf.setLong(2, n);
    }
    buf.setByte(start, 0x81); // FIN, text
    return buf.readerIndex(start);
  }
}
