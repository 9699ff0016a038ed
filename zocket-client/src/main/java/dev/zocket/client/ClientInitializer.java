package dev.zocket.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import tools.jackson.databind.ObjectMapper;

/** Builds one connection's pipeline, in this order; over TCP or the in-process transport. */
final class ClientInitializer extends ChannelInitializer<Channel> {
  /** The largest handshake response kept whole: enough for any error body a server sends. */
  static final int MAX_HANDSHAKE_RESPONSE = 64 * 1024;

  private final WebSocketClientProtocolConfig config;
  private final SslContext ssl;
  private final String host;
  private final int port;
  private final long idleMillis;
  private final int maxMessageSize;
  private final ObjectMapper mapper;
  private final Function<Channel, ClientHandler> handler;

  ClientInitializer(
      WebSocketClientProtocolConfig config,
      SslContext ssl,
      String host,
      int port,
      long idleMillis,
      int maxMessageSize,
      ObjectMapper mapper,
      Function<Channel, ClientHandler> handler) {
    this.config = config;
    this.ssl = ssl;
    this.host = host;
    this.port = port;
    this.idleMillis = idleMillis;
    this.maxMessageSize = maxMessageSize;
    this.mapper = mapper;
    this.handler = handler;
  }

  @Override
  protected void initChannel(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
    }
    if (idleMillis > 0) {
      // Half the timeout without a byte from the server sends a ping; the other half ends it.
      p.addLast("idle", new IdleStateHandler(idleMillis / 2, 0, 0, TimeUnit.MILLISECONDS));
    }
    p.addLast("http-codec", new HttpClientCodec());
    p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE));
    p.addLast("handshake-check", new HandshakeCheck(mapper));
    p.addLast("ws-protocol", new WebSocketClientProtocolHandler(config));
    p.addLast("ws-aggregator", new WebSocketFrameAggregator(maxMessageSize));
    p.addLast("zocket", handler.apply(ch));
  }
}
