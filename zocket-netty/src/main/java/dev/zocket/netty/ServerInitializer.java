package dev.zocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import java.util.function.Supplier;

/**
 * Builds the pipeline of every accepted connection, in this order:
 *
 * <ol>
 *   <li>{@code tls}: TLS, when the server has an {@code SslContext};
 *   <li>{@code http}: the HTTP codec (a request line and the headers of at most {@value
 *       #MAX_HTTP_REQUEST_BYTES} bytes each; a longer one is answered 400), replaced on upgrade by
 *       {@code wsdecoder}, one stage that decodes WebSocket frames with Netty's decoder (RFC 6455;
 *       it applies the frame size limit, 1009) and encodes them (see {@link Rfc6455Handshaker});
 *       events and replies, already encoded as whole WebSocket frames, enter the pipeline at that
 *       stage (see {@link FrameWriter});
 *   <li>{@code aggregator}: whole HTTP requests, at most {@value #MAX_HTTP_REQUEST_BYTES} bytes
 *       (handshakes and small plain requests only); removed on upgrade;
 *   <li>{@code compression}: negotiates permessage-deflate (when enabled); on upgrade it puts the
 *       inflater, whose output is bounded by the frame size limit (1009), after the frame decoder;
 *   <li>{@code handshake}: version, origin, authentication, headers and the connection limit,
 *       checked before the upgrade, which it then performs; removed on upgrade;
 *   <li>{@code frames}: the WebSocket protocol: messages, pings, the closing handshake, when to
 *       read, the heartbeat; it puts Netty's fragment aggregator before itself when a fragmented
 *       message first arrives.
 * </ol>
 *
 * <p>The stages get only the parts they use, derived once per server: the handshake stage is one
 * {@link HandshakeHandler} shared by every socket, the frame stage a new {@link FrameHandler} per
 * socket. Called on each new channel's I/O thread.
 */
final class ServerInitializer extends ChannelInitializer<Channel> {
  static final int MAX_HTTP_REQUEST_BYTES = 8192;

  /** TLS, compression and the outbound buffer's water marks. */
  private final Hardening hardening;

  private final int maxFrameSize;

  /** Every accepted channel, for shutdown. */
  private final ChannelGroup channels;

  /** The handshake stage, one for every socket. */
  private final HandshakeHandler handshake;

  /** A new socket's frame stage. */
  private final Supplier<FrameHandler> frames;

  /**
   * The water marks of every socket: one instance, given to every channel, rather than one per
   * channel. The receive buffer sizing is {@link ReceiveSizing}'s, one instance for every server.
   */
  private final WriteBufferWaterMark waterMark;

  /**
   * The pipelines of a server of these settings and parts.
   *
   * @param hardening TLS, compression and the outbound buffer's water marks
   * @param maxFrameSize the frame size limit, for the inflater
   * @param channels where every accepted channel is added, for shutdown
   * @param handshake the handshake stage, shared by every socket
   * @param frames makes a new socket's frame stage
   */
  ServerInitializer(
      Hardening hardening,
      int maxFrameSize,
      ChannelGroup channels,
      HandshakeHandler handshake,
      Supplier<FrameHandler> frames) {
    this.hardening = hardening;
    this.maxFrameSize = maxFrameSize;
    this.channels = channels;
    this.handshake = handshake;
    this.frames = frames;
    this.waterMark =
        new WriteBufferWaterMark(hardening.writeBufferLow(), hardening.writeBufferHigh());
  }

  @Override
  protected void initChannel(Channel ch) {
    channels.add(ch);
    Hardening h = hardening;
    ch.config().setWriteBufferWaterMark(waterMark).setRecvByteBufAllocator(ReceiveSizing.INSTANCE);
    ChannelPipeline p = ch.pipeline();
    if (h.sslContext() != null) {
      p.addLast("tls", h.sslContext().newHandler(ch.alloc()));
    }
    p.addLast(
        "http",
        new HttpServerCodec(
            MAX_HTTP_REQUEST_BYTES, MAX_HTTP_REQUEST_BYTES, MAX_HTTP_REQUEST_BYTES));
    p.addLast("aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES));
    if (h.compression()) {
      p.addLast("compression", new WebSocketServerCompressionHandler(maxFrameSize));
    }
    p.addLast("handshake", handshake);
    p.addLast("frames", frames.get());
  }
}
