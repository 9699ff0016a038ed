package dev.zocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of every accepted connection, in this order:
 *
 * <ol>
 *   <li>{@code tls}: TLS, when the server has an {@code SslContext};
 *   <li>{@code flush}: coalesces the flushes of many small writes (replies); room events, already
 *       encoded as WebSocket frames, enter the pipeline here (see {@link ServerConnection#write});
 *   <li>{@code idle}: pings a quiet peer and closes a silent one (when enabled);
 *   <li>{@code http}: the HTTP codec, replaced by the WebSocket codec on upgrade;
 *   <li>{@code aggregator}: whole HTTP requests, at most {@value #MAX_HTTP_REQUEST_BYTES} bytes
 *       (handshakes and small plain requests only);
 *   <li>{@code compression}: negotiates permessage-deflate (when enabled); on upgrade it puts the
 *       inflater, whose output is bounded by the frame size limit (1009), after the frame decoder;
 *   <li>{@code handshake}: origin, authentication, headers and the connection limit, checked before
 *       the upgrade;
 *   <li>{@code websocket}: Netty's upgrade, control frames and the frame size limit (1009);
 *   <li>{@code fragments}: joins fragmented messages, within the same size limit;
 *   <li>{@code frames}: decodes messages and hands them to the connection.
 * </ol>
 */
final class ServerInitializer extends ChannelInitializer<Channel> {
  static final int MAX_HTTP_REQUEST_BYTES = 8192;

  /** Flushes allowed to wait before one is forced through. */
  private static final int MAX_PENDING_FLUSHES = 256;

  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final ServerConfig config;
  private final HandshakeHandler handshake;
  private final WebSocketServerProtocolConfig websocket;

  ServerInitializer(ServerConfig config) {
    this.config = config;
    this.handshake = new HandshakeHandler(config);
    this.websocket =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/") // the handshake stage has checked the path already
            .checkStartsWith(true)
            .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(config.maxFrameSize)
                    .allowExtensions(config.hardening.compression())
                    .closeOnProtocolViolation(true)
                    .build())
            .build();
  }

  @Override
  protected void initChannel(Channel ch) {
    config.channels.add(ch);
    Hardening h = config.hardening;
    ch.config()
        .setWriteBufferWaterMark(new WriteBufferWaterMark(h.writeBufferLow(), h.writeBufferHigh()));
    ChannelPipeline p = ch.pipeline();
    if (h.sslContext() != null) {
      p.addLast("tls", h.sslContext().newHandler(ch.alloc()));
    }
    p.addLast("flush", new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    long idle = config.idleTimeout.toMillis();
    long ping = config.pingInterval.toMillis();
    if (idle > 0 || ping > 0) {
      p.addLast("idle", new IdleStateHandler(idle, ping, 0, TimeUnit.MILLISECONDS));
    }
    p.addLast("http", new HttpServerCodec());
    p.addLast("aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES));
    if (h.compression()) {
      p.addLast("compression", new WebSocketServerCompressionHandler(config.maxFrameSize));
    }
    p.addLast("handshake", handshake);
    p.addLast("websocket", new WebSocketServerProtocolHandler(websocket));
    p.addLast("fragments", new WebSocketFrameAggregator(config.maxFrameSize));
    p.addLast("frames", new FrameHandler(config));
  }
}
