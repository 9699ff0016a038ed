package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One connection's closing handshake (RFC 6455 section 7), so that every close the server starts
 * lets the peer read the code. When the server closes a connection (1001, 1002, 1007, 1008, 1009,
 * 1013, idle, the application's close) it sends the close frame after every event and reply written
 * before (those its writer still held for a client reading slowly included; not for a slow
 * consumer, see below), ends its side of the TCP stream (without TLS), and keeps reading what the
 * peer still sends, each message counted as dropped ({@code CLOSING}; without TLS the frames are
 * {@linkplain SkimmedFrames skimmed}, not decoded), until the peer's close frame (with TLS), the
 * peer's end of the stream, or {@link #TIMEOUT_MILLIS}, and only then closes the socket: a peer
 * still sending sees the code, never a reset, and no message read is lost uncounted. A close frame
 * from the peer is answered with its code (1002 for a code RFC 6455 does not allow, 1007 for a
 * reason that is not UTF-8). Either way, once the handshake has begun the {@link FrameHandler}
 * stops writing and pinging, and reads until the end; what the timeout does is the handler's too.
 *
 * <p>A slow consumer's close (1013) is for a client that does not read: its close frame would wait
 * behind what Netty's outbound buffer holds, and be discarded with it at the close timeout, so a
 * client that reads again later would never see it. So the frames in Netty's buffer that the socket
 * has not begun to take are dropped first ({@link #dropUnsent}, without TLS or an extension), the
 * close frame follows at most the rest of one frame, and the socket is kept until the close frame
 * has been written to it, for at most {@link #WRITE_WAIT_MILLIS}; the close timeout runs from then.
 * Once in the socket, the kernel delivers the close frame whenever the client reads.
 *
 * <p>The first layer of a connection's frame stage, which {@link Heartbeat}, {@link ReadPauses} and
 * the {@link FrameHandler} extend in turn: the stage is one object per connection, not one per
 * concern (an idle connection's heap was 96 bytes larger with four objects: their headers and back
 * references), and each layer is a class of its own so that its rules read in one place. This one
 * holds the stage's context, which every layer uses.
 *
 * <p>Threading: on the connection's I/O thread only.
 */
abstract class CloseHandshake extends ChannelInboundHandlerAdapter {
  /** How long a closing connection waits for the peer's close frame before closing the socket. */
  static final long TIMEOUT_MILLIS = 5_000;

  /**
   * How long a slow consumer's socket is kept for its close frame to be written to it, while the
   * client does not read; what it holds meanwhile is at most the rest of one frame and the close.
   */
  static final long WRITE_WAIT_MILLIS = 30_000;

  /**
   * The frame stage's context: set when the stage is added to the pipeline, read by every layer.
   */
  ChannelHandlerContext ctx;

  /** Set once a close frame was sent or received. */
  private boolean begun;

  /** The close code sent, or received first; 1006 (abnormal closure) while none was. */
  private int code = 1006;

  private ScheduledFuture<?> timeout;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * The handshake has begun, either way: nothing more is written, pinged or answered, and the
   * connection is read until the end, whatever paused it. The connection's writer writes what it
   * holds before the close frame if {@code deliverBacklog}, else releases it so that the close
   * frame goes next (a slow consumer, a peer that closed first).
   */
  abstract void closingBegan(boolean deliverBacklog);

  /** The peer did not close within the close timeout (or the close frame was not written). */
  abstract void closeTimedOut();

  /**
   * The connection's close code, for observers: the one sent, or the peer's when it closed first
   * (1005 for a close frame without code), else 1006.
   */
  int code() {
    return code;
  }

  /** Whether a close frame was sent or received: data frames read after it are dropped. */
  boolean begun() {
    return begun;
  }

  /** Closes the connection with a status, sending our close frame first (see above). Once. */
  void close(int status, String reason) {
    close(status, reason, false);
  }

  /**
   * Closes a slow consumer with 1013 (see above): the frames not begun are dropped, and the close
   * timeout waits for the close frame to be written. Once.
   */
  void closeSlowConsumer(String reason) {
    close(FrameHandler.SLOW_CONSUMER_STATUS, reason, true);
  }

  private void close(int status, String reason, boolean waitForTheCloseFrame) {
    if (begun || !ctx.channel().isActive()) {
      return;
    }
    begin(!waitForTheCloseFrame);
    code = status;
    if (waitForTheCloseFrame) {
      dropUnsent(ctx.channel());
    }
    // Without TLS the peer's close frame is not needed: the end of its stream follows it, since
    // the end of ours follows our close frame. So what the peer still sends is skimmed, each of
    // its messages counted as dropped unread: those still to come, and those the decoder holds
    // (calls read with the frame that began this close: a slow consumer cut by its reply, a
    // handler's close on the I/O thread).
    boolean plain =
        ctx.pipeline().get(SslHandler.class) == null && ctx.channel() instanceof DuplexChannel;
    if (plain) {
      Rfc6455Handshaker.Codec codec = ctx.pipeline().get(Rfc6455Handshaker.Codec.class);
      if (codec != null) {
        codec.skimTheRest();
      }
    }
    timeout =
        ctx.executor()
            .schedule(
                this::closeTimedOut,
                waitForTheCloseFrame ? WRITE_WAIT_MILLIS : TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
    ctx.writeAndFlush(new CloseWebSocketFrame(status, truncate(reason)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                return;
              }
              if (plain) {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
              }
              if (waitForTheCloseFrame && ctx.channel().isActive()) {
                stopCloseTimeout(); // written: the peer has the close timeout from now
                timeout =
                    ctx.executor()
                        .schedule(this::closeTimedOut, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
              }
            });
  }

  /**
   * Drops from Netty's outbound buffer every frame the socket has not begun to take, so that what
   * is written next follows at most the rest of one frame. Only where each entry of the buffer is
   * one whole WebSocket frame, or the rest of one: without TLS (whose records cannot be dropped)
   * and without an extension (whose encoder may split a frame in two entries). The first entry is
   * kept, from where the socket stopped, since the socket may have taken part of it (Netty's
   * progress does not show what {@link SocketWrites} wrote past it). On the I/O thread, outside a
   * flush.
   */
  static void dropUnsent(Channel channel) {
    ChannelPipeline p = channel.pipeline();
    if (p.get(SslHandler.class) != null || p.get(WebSocketExtensionEncoder.class) != null) {
      return;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out == null) {
      return;
    }
    out.addFlush(); // what waits unflushed (SocketWrites' frames handed over) goes too
    if (!(out.current() instanceof ByteBuf first)) {
      return; // empty, or not a buffer: nothing to drop safely
    }
    ByteBuf rest = first.retainedDuplicate(); // its reader index is where the socket stopped
    while (out.remove()) {
      // releases each frame; their promises (voids, and a pong's) complete
    }
    channel.unsafe().write(rest, channel.voidPromise());
  }

  /**
   * Answers a close frame of the peer's that could not be read as one (a body of one byte) with
   * {@code status}, then closes the socket: the peer has ended its side, so nothing is left to wait
   * for. Once.
   */
  void answerUnreadableClose(int status, String reason) {
    if (begun || !ctx.channel().isActive()) {
      return;
    }
    begin();
    code = status;
    ctx.writeAndFlush(new CloseWebSocketFrame(status, truncate(reason)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Sends a close frame with {@code status} and closes the socket at once, without waiting for the
   * peer: for a connection whose client has most likely gone. A peer still there reads the code if
   * the socket had room for it. Once.
   */
  void closeAtOnce(int status, String reason) {
    if (begun || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    begin();
    code = status;
    ctx.writeAndFlush(new CloseWebSocketFrame(status, truncate(reason)));
    ctx.close();
  }

  /** A close frame from the peer: the answer to ours, or one to answer. */
  void peerClosed(CloseWebSocketFrame frame) {
    if (begun) {
      ctx.close(); // the handshake is complete; our side of the stream has ended already
      return;
    }
    begin();
    ByteBuf body = frame.content();
    CloseWebSocketFrame answer;
    if (!body.isReadable()) {
      answer = new CloseWebSocketFrame();
      code = 1005;
    } else {
      int peer = body.readableBytes() < 2 ? -1 : body.getUnsignedShort(body.readerIndex());
      if (!isValidCloseCode(peer)) {
        answer = new CloseWebSocketFrame(1002, "Invalid close code");
        code = 1002;
      } else if (!Utf8.isValid(reason(body), 0, body.readableBytes() - 2)) {
        answer = new CloseWebSocketFrame(1007, "Invalid UTF-8 in the close reason");
        code = 1007;
      } else {
        answer = new CloseWebSocketFrame(peer, "");
        code = peer;
      }
    }
    ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
  }

  private void begin() {
    begin(false);
  }

  /**
   * The handshake begins: nothing more is written but, if {@code deliverBacklog}, the frames the
   * connection's writer still holds, which then go before the close frame.
   */
  private void begin(boolean deliverBacklog) {
    begun = true;
    closingBegan(deliverBacklog);
  }

  /** The channel has closed: the timeout is moot. */
  void stopCloseTimeout() {
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
  }

  /**
   * Makes the frame decoder, when there is one, drop everything read from now on and what it holds
   * undecoded: for a stream whose frames can no longer be parsed (a closing connection's are read
   * on, and its messages counted). It stays in the pipeline: it encodes what the connection still
   * writes.
   */
  static void discardTheRest(ChannelHandlerContext ctx) {
    Rfc6455Handshaker.Codec codec = ctx.pipeline().get(Rfc6455Handshaker.Codec.class);
    if (codec != null) {
      codec.discardTheRest();
    }
  }

  private static byte[] reason(ByteBuf body) {
    byte[] bytes = new byte[body.readableBytes() - 2];
    body.getBytes(body.readerIndex() + 2, bytes);
    return bytes;
  }

  /** The codes a peer may send (RFC 6455 section 7.4 and the IANA registry). */
  static boolean isValidCloseCode(int code) {
    return code >= 1000 && code <= 1003
        || code >= 1007 && code <= 1014
        || code >= 3000 && code <= 4999;
  }

  /** A close reason must fit the 123 bytes a control frame leaves for it. */
  static String truncate(String reason) {
    if (reason == null) {
      return "";
    }
    if (reason.getBytes(StandardCharsets.UTF_8).length <= 123) {
      return reason;
    }
    int end = Math.min(reason.length(), 120);
    while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > 120) {
      end--;
    }
    return reason.substring(0, end);
  }
}
