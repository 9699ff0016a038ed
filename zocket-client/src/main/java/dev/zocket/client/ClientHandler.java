package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: its handshake, its inbound frames, its heartbeat, its calls in flight, and how it
 * ended. Everything but {@link #send}, {@link #close} and the calls runs on the connection's event
 * loop.
 */
final class ClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  /** No close frame came from the server (RFC 6455 section 7.1.5). */
  static final int ABNORMAL_CLOSURE = 1006;

  /** The server's close frame had no status code. */
  static final int NO_STATUS = 1005;

  private final Channel channel;
  private final ConnectionLifecycle lifecycle;
  private final InboundRouter inbound;
  private final long idleMillis;
  private final PendingCalls calls;

  /** Whether this connection resumes a session: it opens once the server has answered. */
  private final boolean resuming;

  /** How long a resuming connection waits for the server's {@code __session} message. */
  private final long sessionWaitMillis;

  private boolean open;

  /** Set while a resuming connection waits for the server's {@code __session} message. */
  private boolean awaitingSession;

  private ScheduledFuture<?> sessionWait;
  private int closeCode = ABNORMAL_CLOSURE;
  private String closeReason = "";
  private Throwable failure;

  ClientHandler(
      Channel channel,
      ConnectionLifecycle lifecycle,
      InboundRouter inbound,
      long idleMillis,
      boolean resuming,
      long sessionWaitMillis) {
    super(WebSocketFrame.class);
    this.channel = channel;
    this.resuming = resuming;
    this.sessionWaitMillis = sessionWaitMillis;
    this.lifecycle = lifecycle;
    this.inbound = inbound;
    this.idleMillis = idleMillis;
    this.calls = new PendingCalls(channel);
  }

  Channel channel() {
    return channel;
  }

  /** The calls made on this connection that wait for their replies. */
  PendingCalls calls() {
    return calls;
  }

  /** Queues one encoded frame; returns immediately. Any thread. */
  void send(byte[] frame) {
    channel
        .writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.debug("A message was not sent: the connection closed", f.cause());
              }
            });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      open = true;
      if (resuming) {
        awaitingSession = true;
        sessionWait =
            ctx.executor()
                .schedule(
                    () -> {
                      log.debug(
                          "No session message from {} within {} ms: a fresh session",
                          lifecycle.uri(),
                          sessionWaitMillis);
                      sessionAnswered(false);
                    },
                    sessionWaitMillis,
                    TimeUnit.MILLISECONDS);
      } else {
        lifecycle.opened(this, false);
      }
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      fail(new ZocketException(ErrorCodes.TIMEOUT, "The WebSocket handshake timed out"));
    } else if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      if (!open) {
        return; // the handshake timeout covers this phase
      }
      if (idle.isFirst()) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else {
        closeReason = "No data from the server for " + idleMillis + " ms";
        log.info("Closing the connection to {}: {}", lifecycle.uri(), closeReason);
        ctx.channel().close();
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      ByteBuf content = frame.content();
      byte[] bytes;
      int offset;
      if (content.hasArray()) {
        bytes = content.array();
        offset = content.arrayOffset() + content.readerIndex();
      } else {
        bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        offset = 0;
      }
      int length = content.readableBytes();
      if (awaitingSession) {
        Boolean recovered = inbound.session(bytes, offset, length);
        sessionAnswered(recovered != null && recovered);
        if (recovered != null) {
          return; // the session message itself
        }
      }
      inbound.received(calls, bytes, offset, length);
    } else if (frame instanceof CloseWebSocketFrame close) {
      int code = close.statusCode();
      closeCode = code < 0 ? NO_STATUS : code;
      closeReason = close.reasonText();
      // Answer with the same status, then end the TCP connection (RFC 6455 section 5.5.1).
      WebSocketCloseStatus echo =
          code < 0 ? WebSocketCloseStatus.NORMAL_CLOSURE : WebSocketCloseStatus.valueOf(code);
      ctx.writeAndFlush(new CloseWebSocketFrame(echo)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Starts a normal close: a 1000 close frame, then the TCP close. Any thread. */
  void close() {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (closeCode == ABNORMAL_CLOSURE && closeReason.isEmpty()) {
                closeCode = WebSocketCloseStatus.NORMAL_CLOSURE.code();
                closeReason = "closed by the client";
              }
              channel
                  .writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                  .addListener(ChannelFutureListener.CLOSE);
            });
  }

  /**
   * The server answered a resuming connection (or did not in time, or sent something else first):
   * the connection opens, telling the application whether its session was resumed. Once.
   */
  private void sessionAnswered(boolean recovered) {
    if (!awaitingSession) {
      return;
    }
    awaitingSession = false;
    if (sessionWait != null) {
      sessionWait.cancel(false);
    }
    lifecycle.recovery(recovered);
    lifecycle.opened(this, recovered);
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(cause);
    if (open) {
      log.debug("Connection to {} failed", lifecycle.uri(), cause);
      if (closeReason.isEmpty()) {
        closeReason = String.valueOf(cause.getMessage());
      }
    }
    ctx.channel().close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    calls.failAll();
    if (sessionWait != null) {
      sessionWait.cancel(false);
    }
    // A resuming connection that closes before the server answered never opened: an attempt.
    lifecycle.closed(this, open && !awaitingSession, closeCode, closeReason, failure);
    super.channelInactive(ctx);
  }
}
