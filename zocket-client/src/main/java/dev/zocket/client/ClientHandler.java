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
  private boolean open;
  private int closeCode = ABNORMAL_CLOSURE;
  private String closeReason = "";
  private Throwable failure;

  ClientHandler(
      Channel channel, ConnectionLifecycle lifecycle, InboundRouter inbound, long idleMillis) {
    super(WebSocketFrame.class);
    this.channel = channel;
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
      lifecycle.opened(this);
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
      if (content.hasArray()) {
        inbound.received(
            calls,
            content.array(),
            content.arrayOffset() + content.readerIndex(),
            content.readableBytes());
      } else {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        inbound.received(calls, bytes, 0, bytes.length);
      }
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
    lifecycle.closed(this, open, closeCode, closeReason, failure);
    super.channelInactive(ctx);
  }
}
