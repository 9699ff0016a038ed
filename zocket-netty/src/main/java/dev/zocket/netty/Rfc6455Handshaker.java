package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.Base64;
import java.util.List;

/**
 * Netty's RFC 6455 handshaker, stricter about the request and more lenient about close frames.
 *
 * <p>The request must be what RFC 6455 section 4.2.1 requires beyond Netty's own checks (a {@code
 * GET} with {@code Connection: Upgrade}, {@code Upgrade: websocket} and a {@code
 * Sec-WebSocket-Key}): HTTP/1.1 or higher, and a key that is base64 of exactly 16 bytes. Anything
 * else throws a {@link WebSocketServerHandshakeException} before the pipeline changes, which {@link
 * HandshakeHandler} answers 400 without upgrading.
 *
 * <p>Its frame decoder passes a peer's close frame on whatever its code and reason: {@link
 * CloseHandshake} checks them itself and answers a bad one (1002 for a code RFC 6455 does not
 * allow, 1007 for a reason that is not UTF-8), then closes the socket at once, since the peer has
 * ended its side. Netty's own check would mark the stream corrupt instead, after which the peer's
 * last bytes can no longer be read and a TLS connection waited for the close timeout.
 *
 * <p>The same stage also encodes the frames the connection writes, with one encoder shared by every
 * connection (Netty's keeps no state per channel): one pipeline stage, {@code wsdecoder}, instead
 * of a decoder and an encoder, so an idle connection carries one handler context fewer (64 bytes
 * and the encoder's 24, see BENCHMARKS.md).
 *
 * <p>Used on the I/O thread, once per upgrade.
 */
final class Rfc6455Handshaker extends WebSocketServerHandshaker13 {
  /** The length of a {@code Sec-WebSocket-Key} once decoded (RFC 6455 section 4.1). */
  private static final int KEY_BYTES = 16;

  Rfc6455Handshaker(WebSocketDecoderConfig decoderConfig) {
    super("ws://zocket/", null, decoderConfig);
  }

  @Override
  protected FullHttpResponse newHandshakeResponse(FullHttpRequest req, HttpHeaders headers) {
    HttpVersion version = req.protocolVersion();
    if (version.majorVersion() < 1 || version.majorVersion() == 1 && version.minorVersion() < 1) {
      throw new WebSocketServerHandshakeException(
          "not a WebSocket request: HTTP/1.1 or higher is required, got " + version, req);
    }
    if (!isValidKey(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
      throw new WebSocketServerHandshakeException(
          "not a WebSocket request: the key is not base64 of 16 bytes", req);
    }
    return super.newHandshakeResponse(req, headers);
  }

  /** Whether a {@code Sec-WebSocket-Key} is base64 (RFC 4648, padded) of exactly 16 bytes. */
  static boolean isValidKey(String key) {
    if (key == null || key.length() != 24) { // 16 bytes take 24 characters, padding included
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == KEY_BYTES;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  protected WebSocketFrameDecoder newWebsocketDecoder() {
    return new Codec(decoderConfig());
  }

  /** Nothing: the decoder's stage ({@link Codec}) encodes too. */
  @Override
  protected WebSocketFrameEncoder newWebSocketEncoder() {
    return NO_ENCODER;
  }

  /** A server's encoder (unmasked frames); it keeps nothing per channel, so one serves them all. */
  private static final WebSocket13FrameEncoder ENCODER = new WebSocket13FrameEncoder(false);

  private static final WebSocketFrameEncoder NO_ENCODER = new NoEncoder();

  /**
   * What Netty's handshaker adds as {@code wsencoder}: it takes itself out of the pipeline as soon
   * as it is added.
   */
  @ChannelHandler.Sharable
  private static final class NoEncoder extends ChannelOutboundHandlerAdapter
      implements WebSocketFrameEncoder {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.pipeline().remove(this);
    }
  }

  /**
   * Netty's decoder, leaving close frames' bodies to {@link CloseHandshake#peerClosed}, and the
   * shared {@link #ENCODER} for what is written: WebSocket frames are encoded, anything else
   * (frames {@link FrameWriter} encoded already) passes on as it is. Static, so that it, which
   * stays in the pipeline, does not keep the handshaker alive.
   */
  static final class Codec extends WebSocket13FrameDecoder
      implements ChannelOutboundHandler, WebSocketFrameEncoder {
    /** Frames are decoded. */
    private static final byte DECODE = 0;

    /** Frames are decoded up to the end of the next one, then skimmed. */
    private static final byte SKIM_AFTER_NEXT = 1;

    /** Frames are skimmed ({@link SkimmedFrames}). */
    private static final byte SKIM = 2;

    /** Everything read is dropped unparsed. */
    private static final byte DISCARD = 3;

    /** How what is read is taken (a byte: an idle connection's stage stays the size it was). */
    private byte rest = DECODE;

    Codec(WebSocketDecoderConfig config) {
      super(config);
    }

    /**
     * Skims what the connection reads ({@link SkimmedFrames}) from the end of the next frame this
     * decodes on: the one it is in the middle of, or the next whole one (the stage knows where a
     * frame starts only once it has ended one). For a closing connection, whose messages are then
     * counted as dropped without being decoded. On the I/O thread.
     */
    void skimTheRest() {
      if (rest == DECODE) {
        rest = SKIM_AFTER_NEXT;
      }
    }

    /** Drops everything read from now on, and the bytes it holds undecoded. On the I/O thread. */
    void discardTheRest() {
      rest = DISCARD;
      ByteBuf held = internalBuffer();
      held.skipBytes(held.readableBytes());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (rest == DISCARD) {
        ReferenceCountUtil.release(msg);
      } else {
        super.channelRead(ctx, msg);
      }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      if (rest == DECODE) { // an open connection: nothing more to do per frame
        super.decode(ctx, in, out);
      } else if (rest == SKIM) {
        if (!SkimmedFrames.of(ctx.channel()).skim(in, out)) {
          discardTheRest();
        }
      } else {
        int before = out.size();
        super.decode(ctx, in, out);
        if (out.size() > before) {
          rest = SKIM; // a frame ended: what follows starts one
        }
      }
    }

    @Override
    protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf buffer) {
      // CloseHandshake.peerClosed checks the code and the reason.
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      ENCODER.write(ctx, msg, promise);
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress local, ChannelPromise promise) {
      ctx.bind(local, promise);
    }

    @Override
    public void connect(
        ChannelHandlerContext ctx,
        SocketAddress remote,
        SocketAddress local,
        ChannelPromise promise) {
      ctx.connect(remote, local, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
      ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
      ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
      ctx.deregister(promise);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
      ctx.read();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      ctx.flush();
    }
  }
}
