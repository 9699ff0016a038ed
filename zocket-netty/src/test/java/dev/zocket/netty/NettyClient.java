package dev.zocket.netty;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A test client on Netty's WebSocket client: TLS, permessage-deflate, a switch to stop reading, a
 * small receive buffer, and a hook that sees every text message on the client's I/O thread.
 */
final class NettyClient implements AutoCloseable {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(
          2, new DefaultThreadFactory("test-client", true), NioIoHandler.newFactory());

  /** How a client connects. */
  static final class Options {
    Map<String, String> headers = Map.of();
    SslContext ssl;
    boolean compression;
    int receiveBuffer;
    Consumer<String> onText;

    Options headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    Options ssl(SslContext ssl) {
      this.ssl = ssl;
      return this;
    }

    Options compression() {
      this.compression = true;
      return this;
    }

    /** A small SO_RCVBUF, set before connecting so the TCP window stays small. */
    Options receiveBuffer(int bytes) {
      this.receiveBuffer = bytes;
      return this;
    }

    /** Sees every text message on the client's I/O thread instead of {@link #messages}. */
    Options onText(Consumer<String> onText) {
      this.onText = onText;
      return this;
    }
  }

  final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
  private final Channel channel;

  private NettyClient(Channel channel) {
    this.channel = channel;
  }

  static NettyClient connect(URI uri) {
    return connect(uri, new Options());
  }

  static NettyClient connect(URI uri, Options o) {
    LeakDetection.install();
    CompletableFuture<Void> handshake = new CompletableFuture<>();
    CompletableFuture<NettyClient> self = new CompletableFuture<>();
    DefaultHttpHeaders headers = new DefaultHttpHeaders();
    o.headers.forEach(headers::set);
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .customHeaders(headers)
            .allowExtensions(o.compression)
            .maxFramePayloadLength(16 * 1024 * 1024)
            .handleCloseFrames(false)
            .handshakeTimeoutMillis(10_000)
            .build();
    Bootstrap b =
        new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (o.ssl != null) {
                      p.addLast(o.ssl.newHandler(ch.alloc(), uri.getHost(), uri.getPort()));
                    }
                    p.addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024));
                    if (o.compression) {
                      p.addLast(new WebSocketClientCompressionHandler(0));
                    }
                    p.addLast(new WebSocketClientProtocolHandler(config));
                    p.addLast(new Recorder(handshake, self, o.onText));
                  }
                });
    if (o.receiveBuffer > 0) {
      b.option(ChannelOption.SO_RCVBUF, o.receiveBuffer);
    }
    Channel ch = b.connect(uri.getHost(), uri.getPort()).syncUninterruptibly().channel();
    NettyClient client = new NettyClient(ch);
    self.complete(client);
    ch.closeFuture().addListener(f -> handshake.completeExceptionally(new Exception("closed")));
    handshake.orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }

  Channel channel() {
    return channel;
  }

  void send(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
  }

  void send(WebSocketFrame frame) {
    channel.writeAndFlush(frame).syncUninterruptibly();
  }

  /** Stops or resumes reading from the socket. */
  void autoRead(boolean on) {
    channel.config().setAutoRead(on);
  }

  /** The next text message, waiting for it. */
  String next() {
    return Await.next("a message", messages);
  }

  /** The close status the server sent, or -1 if the connection ended without one. */
  int awaitClose() {
    return closeStatus.orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Recorder extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final CompletableFuture<Void> handshake;
    private final CompletableFuture<NettyClient> self;
    private final Consumer<String> onText;

    Recorder(
        CompletableFuture<Void> handshake,
        CompletableFuture<NettyClient> self,
        Consumer<String> onText) {
      this.handshake = handshake;
      this.self = self;
      this.onText = onText;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        handshake.complete(null);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text) {
        if (onText != null) {
          onText.accept(text.text());
        } else {
          self.join().messages.add(text.text());
        }
      } else if (frame instanceof CloseWebSocketFrame close) {
        self.join().closeStatus.complete(close.statusCode());
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      self.join().closeStatus.complete(-1);
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      ctx.close();
    }
  }
}
