package dev.zocket.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;

/**
 * Builds the pipeline of every accepted connection, in this order:
 *
 * <ol>
 *   <li>{@code tls}: TLS, when the server has an {@code SslContext};
 *   <li>{@code http}: the HTTP codec (a request line and the headers of at most {@value
 *       #MAX_HTTP_REQUEST_BYTES} bytes each; a longer one is answered 400), replaced on upgrade by
 *       Netty's WebSocket frame decoder and encoder (RFC 6455; {@code wsdecoder} applies the frame
 *       size limit, 1009); events and replies, already encoded as whole WebSocket frames, enter the
 *       pipeline at that encoder (see {@link FrameWriter});
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
 */
final class ServerInitializer extends ChannelInitializer<Channel> {
  static final int MAX_HTTP_REQUEST_BYTES = 8192;

  private final ServerConfig config;
  private final HandshakeHandler handshake;

  ServerInitializer(ServerConfig config) {
    this.config = config;
    this.handshake =
        new HandshakeHandler(
            config,
            WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxFrameSize)
                .allowExtensions(config.hardening.compression())
                // FrameHandler closes, completing the closing handshake.
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // FrameHandler checks text messages, faster (Utf8)
                .build());
  }

  @Override
  protected void initChannel(Channel ch) {
    config.state.channels.add(ch);
    Hardening h = config.hardening;
    ch.config()
        .setWriteBufferWaterMark(new WriteBufferWaterMark(h.writeBufferLow(), h.writeBufferHigh()));
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
      p.addLast("compression", new WebSocketServerCompressionHandler(config.maxFrameSize));
    }
    p.addLast("handshake", handshake);
    p.addLast("frames", new FrameHandler(config));
  }
}
