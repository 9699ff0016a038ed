package dev.zocket.netty;

import dev.zocket.internal.Dispatcher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
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
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a connection's pipeline: creates the {@link ServerConnection} when the
 * handshake completes, applies the rate limit, decodes every text or binary message on the I/O
 * thread and hands it to the connection, sends heartbeats, and closes idle or oversized peers
 * (1009, also for a compressed message that inflates past the limit).
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

  /** The rate limit's token bucket: messages that may be sent now, and when it was refilled. */
  private double tokens;

  private long refilledAt;

  /** Set when the rate limit closed the connection: later frames are ignored. */
  private boolean rateClosed;

  FrameHandler(ServerConfig config) {
    this.config = config;
    this.tokens = config.hardening.messageBurst();
    this.refilledAt = System.nanoTime();
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
        connection.closeWith(1001, "Idle timeout");
      } else {
        ctx.close();
      }
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (connection == null
        || rateClosed
        || !(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
      return;
    }
    boolean allowed = withinRate();
    if (!allowed && config.hardening.rateLimitPolicy() == RateLimitPolicy.CLOSE) {
      rateClosed = true;
      log.debug("Closing {}: over {} messages per second", describe(ctx), rateDescription());
      connection.closeWith(1008, "Rate limit exceeded");
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
    if (in == null) {
      return;
    }
    if (allowed) {
      connection.receive(in);
    } else if (in.rpcId() != null) {
      connection.reject(in.rpcId(), "Too many messages per second");
    } else {
      log.debug("Dropped a message of {}: over the rate limit", describe(ctx));
    }
  }

  /** Takes a token from the bucket; false when it is empty. */
  private boolean withinRate() {
    int rate = config.hardening.messagesPerSecond();
    if (rate == 0) {
      return true;
    }
    long now = System.nanoTime();
    double t =
        Math.min(config.hardening.messageBurst(), tokens + (now - refilledAt) * (rate / 1e9));
    refilledAt = now;
    if (t < 1) {
      tokens = t;
      return false;
    }
    tokens = t - 1;
    return true;
  }

  private String rateDescription() {
    return config.hardening.messagesPerSecond()
        + " (burst "
        + config.hardening.messageBurst()
        + ")";
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) {
      connection.writabilityChanged(ctx.channel().isWritable());
    }
    super.channelWritabilityChanged(ctx);
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
    if (cause instanceof TooLongFrameException || cause instanceof DecompressionException) {
      log.debug("Closing {}: message over {} bytes", describe(ctx), config.maxFrameSize);
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof CorruptedWebSocketFrameException
        || cause instanceof IOException
        || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
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
