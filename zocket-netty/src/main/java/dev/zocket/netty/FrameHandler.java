package dev.zocket.netty;

import dev.zocket.internal.Dispatcher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a connection's pipeline: creates the {@link ServerConnection} when the
 * handshake completes, decodes every text or binary message on the I/O thread and hands it to the
 * connection, sends heartbeats, and closes idle or oversized peers.
 */
final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

  /** Per I/O thread: a reusable copy of a direct frame, for decoding. */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[4096];
        }
      };

  private final ServerConfig config;
  private ServerConnection connection;

  FrameHandler(ServerConfig config) {
    this.config = config;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      opened(ctx);
    } else if (evt instanceof IdleStateEvent idle) {
      idle(ctx, idle);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void opened(ChannelHandlerContext ctx) {
    Object headers = ctx.channel().attr(HandshakeHandler.HEADERS).getAndSet(null);
    ctx.pipeline().remove(HandshakeHandler.class);
    if (config.closing()) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1001, "Server is shutting down"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    connection = new ServerConnection(config, ctx.channel(), config.newClientId(), headers);
    config.live.add(connection);
    ctx.channel().attr(ServerConnection.KEY).set(connection);
    connection.start();
  }

  private void idle(ChannelHandlerContext ctx, IdleStateEvent idle) {
    if (idle.state() == IdleState.WRITER_IDLE) {
      if (connection != null) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      }
    } else if (idle.state() == IdleState.READER_IDLE) {
      log.debug("Closing {}: silent for {}", describe(ctx), config.idleTimeout);
      if (connection != null) {
        ctx.writeAndFlush(new CloseWebSocketFrame(1001, "Idle timeout"))
            .addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.close();
      }
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connection == null
        || !(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
      return;
    }
    ByteBuf content = frame.content();
    int length = content.readableBytes();
    Dispatcher.Inbound in;
    if (content.hasArray()) {
      in =
          config.dispatcher.decode(
              content.array(), content.arrayOffset() + content.readerIndex(), length);
    } else {
      byte[] scratch = SCRATCH.get();
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
        SCRATCH.set(scratch);
      }
      content.getBytes(content.readerIndex(), scratch, 0, length);
      in = config.dispatcher.decode(scratch, 0, length);
    }
    if (in != null) {
      connection.receive(in);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) {
      connection.closed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      log.debug("Closing {}: message over {} bytes", describe(ctx), config.maxFrameSize);
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof CorruptedWebSocketFrameException || cause instanceof IOException) {
      log.debug("Closing {}: {}", describe(ctx), cause.toString());
      ctx.close();
    } else {
      log.warn("Closing {} after an unexpected error", describe(ctx), cause);
      ctx.close();
    }
  }

  private String describe(ChannelHandlerContext ctx) {
    return connection != null
        ? "client " + connection.clientId()
        : String.valueOf(ctx.channel().remoteAddress());
  }
}
