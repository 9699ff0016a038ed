package dev.zocket.netty;

import dev.zocket.internal.Outgoing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.util.function.IntConsumer;

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

  /** How much a frame being encoded with a charge grows between two charges. */
  static final int CHARGE_STEP = 64 * 1024;

  /**
   * The frame of a text written by {@code text}, charging {@code charge} with {@link #CHARGE_STEP}
   * bytes each time the text has grown by as much, so that what a large frame takes is counted
   * while it is being written, not only once it is complete; {@code charge} may throw to stop the
   * encoding. A text shorter than a step is written as by {@link #encode(ByteBufAllocator,
   * Outgoing)}, with no charge.
   *
   * @throws RuntimeException what {@link Outgoing#writeTo} or {@code charge} threw (the buffer is
   *     released)
   */
  static ByteBuf encode(ByteBufAllocator alloc, Outgoing text, IntConsumer charge) {
    ByteBuf buf = alloc.directBuffer(INITIAL_CAPACITY);
    try {
      buf.writerIndex(HEADER_ROOM);
      text.writeTo(
          new ByteBufOutputStream(buf) {
            private int chargedUpTo = HEADER_ROOM + CHARGE_STEP;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              super.write(b, off, len);
              grown();
            }

            @Override
            public void write(int b) throws IOException {
              super.write(b);
              grown();
            }

            private void grown() {
              while (buf.writerIndex() > chargedUpTo) {
                charge.accept(CHARGE_STEP);
                chargedUpTo += CHARGE_STEP;
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

  /** The text a frame made here carries, without its header: for another node. */
  static byte[] text(ByteBuf frame) {
    int header = headerLength(frame);
    return ByteBufUtil.getBytes(
        frame, frame.readerIndex() + header, frame.readableBytes() - header);
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
