package dev.zocket.client;

import static org.assertj.core.api.Assertions.fail;

import dev.zocket.test.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare Netty WebSocket server for the wire tests: it records every frame the client sends, as
 * text, and sends whatever the test tells it to. It knows nothing of Zocket.
 */
final class RawServer implements AutoCloseable {
  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final BlockingQueue<String> uris = new LinkedBlockingQueue<>();
  final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
  final BlockingQueue<String> pings = new LinkedBlockingQueue<>();
  final BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel server;

  /** The last accepted connection, and its handshake's completion. */
  private volatile Channel last;

  private volatile CompletableFuture<Void> lastUpgraded;
  private volatile HttpResponseStatus rejectStatus;
  private volatile String rejectBody;

  private final boolean tls;

  private RawServer(int port, io.netty.handler.ssl.SslContext ssl) throws InterruptedException {
    this.tls = ssl != null;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    children.add(ch);
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(new Rejecter())
                        .addLast(new PingRecorder())
                        .addLast(
                            new WebSocketServerProtocolHandler(
                                WebSocketServerProtocolConfig.newBuilder()
                                    .websocketPath("/")
                                    .checkStartsWith(true)
                                    .dropPongFrames(false)
                                    .handleCloseFrames(false)
                                    .sendCloseFrame(null)
                                    .build()))
                        .addLast(new Recorder());
                  }
                })
            .bind("127.0.0.1", port)
            .sync()
            .channel();
  }

  /** Starts a server on 127.0.0.1; port 0 picks a free port. */
  static RawServer start(int port) throws InterruptedException {
    return new RawServer(port, null);
  }

  /** Starts a server speaking TLS with the given server context. */
  static RawServer startTls(io.netty.handler.ssl.SslContext ssl) throws InterruptedException {
    return new RawServer(0, ssl);
  }

  int port() {
    return ((java.net.InetSocketAddress) server.localAddress()).getPort();
  }

  java.net.URI uri() {
    return java.net.URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + port() + "/");
  }

  /** Answers every later upgrade with this status and body instead. */
  void reject(HttpResponseStatus status, String body) {
    rejectBody = body;
    rejectStatus = status;
  }

  /** The next frame the client sent, as text. */
  String take() {
    return Await.next("a frame from the client", Duration.ofSeconds(5), frames);
  }

  /** The request URI of the next upgrade. */
  String takeUri() {
    return Await.next("a connection", Duration.ofSeconds(5), uris);
  }

  /**
   * The last accepted connection, once its upgrade is complete here: a client's connect returns
   * when the 101 arrives, which can be just before this side sees the handshake as complete.
   */
  private Channel upgraded() {
    try {
      lastUpgraded.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("the last connection did not complete its upgrade", e);
    }
    return last;
  }

  /** Sends a text frame to the last connection. */
  void send(String json) {
    upgraded().writeAndFlush(new TextWebSocketFrame(json)).syncUninterruptibly();
  }

  void ping(String data) {
    upgraded()
        .writeAndFlush(new PingWebSocketFrame(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8)))
        .syncUninterruptibly();
  }

  /** Sends a close frame and closes the TCP connection. */
  void closeConnection(int code, String reason) {
    upgraded()
        .writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE)
        .syncUninterruptibly();
  }

  /** Ends every connection without a close frame. */
  void dropConnections() {
    children.close().syncUninterruptibly();
  }

  /** Stops reading from the last connection, so its pings go unanswered. */
  void stopReading() {
    upgraded().config().setAutoRead(false);
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    server.close().syncUninterruptibly();
    children.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Rejecter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      HttpResponseStatus status = rejectStatus;
      if (status == null || !(msg instanceof FullHttpRequest request)) {
        ctx.fireChannelRead(msg);
        return;
      }
      request.release();
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              status,
              Unpooled.copiedBuffer(rejectBody, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Records the client's pings, which the protocol handler after it answers and drops. */
  private final class PingRecorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof PingWebSocketFrame ping) {
        pings.add(ping.content().toString(StandardCharsets.UTF_8));
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Recorder extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final CompletableFuture<Void> upgraded = new CompletableFuture<>();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      lastUpgraded = upgraded;
      last = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
        uris.add(hc.requestUri());
        upgraded.complete(null);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a refused TLS handshake, for example: the client's side is what is tested
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text) {
        frames.add(text.text());
      } else if (frame instanceof PongWebSocketFrame pong) {
        pongs.add(pong.content().toString(StandardCharsets.UTF_8));
      } else if (frame instanceof CloseWebSocketFrame close) {
        closes.add(close.statusCode());
        ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
