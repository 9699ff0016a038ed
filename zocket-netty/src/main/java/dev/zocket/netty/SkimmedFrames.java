package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * What a closing connection still reads without TLS, once its frame decoder ({@link
 * Rfc6455Handshaker.Codec}) has reached the start of a frame: the frames are skimmed, their headers
 * read and their payloads skipped unread, and each data frame passes on hollow (its opcode and FIN
 * bit, no payload), so that the {@link FrameHandler} counts every message the peer still sends as
 * dropped ({@code CLOSING}) without the server copying or unmasking what it drops. Control frames
 * are skipped: the peer's end of the stream, or the close timeout, ends the connection.
 *
 * <p>One per closing connection, kept as an attribute of its channel (an open connection does not
 * pay for it). Threading: on the connection's I/O thread.
 */
final class SkimmedFrames {
  private static final AttributeKey<SkimmedFrames> KEY =
      AttributeKey.valueOf(SkimmedFrames.class, "skimmed");

  /** The bytes of the current frame's payload not read yet. */
  private long payloadLeft;

  private SkimmedFrames() {}

  /** The channel's, made on first use. */
  static SkimmedFrames of(Channel channel) {
    Attribute<SkimmedFrames> a = channel.attr(KEY);
    SkimmedFrames s = a.get();
    if (s == null) {
      s = new SkimmedFrames();
      a.set(s);
    }
    return s;
  }

  /**
   * Skims the frames {@code in} holds, from the start of a frame or the rest of the last one's
   * payload, adding a hollow frame to {@code out} for each data frame whose header has arrived; the
   * bytes of a header not whole yet are left in {@code in}. Returns false when the stream can no
   * longer be parsed (a length past 2^63 - 1).
   */
  boolean skim(ByteBuf in, List<Object> out) {
    // Indexes moved with readerIndex and the header read in one or two gets: the fewest calls
    // that touch the buffer (with paranoid leak detection, as in the tests, each one records).
    while (true) {
      int at = in.readerIndex();
      int end = in.writerIndex();
      if (payloadLeft > 0) {
        int n = (int) Math.min(payloadLeft, end - at);
        at += n;
        in.readerIndex(at);
        payloadLeft -= n;
        if (payloadLeft > 0) {
          return true;
        }
      }
      if (end - at < 2) {
        return true;
      }
      int start = in.getUnsignedShort(at);
      int size = start & 0x7f;
      int header = 2 + (size == 126 ? 2 : size == 127 ? 8 : 0) + ((start & 0x80) != 0 ? 4 : 0);
      if (end - at < header) {
        return true;
      }
      long length =
          size == 126 ? in.getUnsignedShort(at + 2) : size == 127 ? in.getLong(at + 2) : size;
      if (length < 0) {
        return false;
      }
      in.readerIndex(at + header);
      payloadLeft = length;
      int first = start >>> 8;
      boolean fin = (first & 0x80) != 0;
      switch (first & 0x0f) {
        case 0 -> out.add(new ContinuationWebSocketFrame(fin, 0, Unpooled.EMPTY_BUFFER));
        case 1 -> out.add(new TextWebSocketFrame(fin, 0, Unpooled.EMPTY_BUFFER));
        case 2 -> out.add(new BinaryWebSocketFrame(fin, 0, Unpooled.EMPTY_BUFFER));
        default -> {
          // a control frame
        }
      }
    }
  }
}
