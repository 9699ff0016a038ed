package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.RouteDescriptor;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: its pending calls, its inbound frames, and how it ended. Everything but {@link
 * #send} and {@link #call} runs on the connection's event loop.
 */
final class ClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  /** No close frame came from the server (RFC 6455 section 7.1.5). */
  static final int ABNORMAL_CLOSURE = 1006;

  /** The server's close frame had no status code. */
  static final int NO_STATUS = 1005;

  private final ZocketClient client;
  private final long idleMillis;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private volatile Channel channel;
  private boolean open;
  private int closeCode = ABNORMAL_CLOSURE;
  private String closeReason = "";
  private Throwable failure;

  ClientHandler(ZocketClient client, long idleMillis) {
    super(WebSocketFrame.class);
    this.client = client;
    this.idleMillis = idleMillis;
  }

  private record Pending(RouteDescriptor route, CompletableFuture<Object> future) {}

  Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
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

  /** Sends a call and returns its reply's future. Any thread. */
  CompletableFuture<Object> call(String rpcId, RouteDescriptor route, byte[] frame, long timeout) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    pending.put(rpcId, new Pending(route, future));
    io.netty.util.concurrent.ScheduledFuture<?> timer;
    try {
      timer =
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    Pending p = pending.remove(rpcId);
                    if (p != null) {
                      p.future.completeExceptionally(
                          new ZocketException(
                              ErrorCodes.TIMEOUT,
                              "No reply to " + route.route() + " within " + timeout + " ms"));
                    }
                  },
                  timeout,
                  TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      pending.remove(rpcId);
      future.completeExceptionally(ZocketClient.disconnected(route, closed));
      return future;
    }
    future.whenComplete(
        (v, e) -> {
          pending.remove(rpcId);
          timer.cancel(false);
        });
    channel
        .writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                future.completeExceptionally(ZocketClient.disconnected(route, f.cause()));
              }
            });
    return future;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      open = true;
      client.opened(this);
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
        log.info("Closing the connection to {}: {}", client.uri(), closeReason);
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
        client.received(
            this,
            content.array(),
            content.arrayOffset() + content.readerIndex(),
            content.readableBytes());
      } else {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        client.received(this, bytes, 0, bytes.length);
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

  /** Completes a call with its reply. Event loop. */
  void replied(String rpcId, ReplyBinder binder) {
    Pending p = rpcId == null ? null : pending.get(rpcId);
    if (p == null) {
      log.debug("Dropped a reply to an unknown or finished call {}", rpcId);
      return;
    }
    Object value;
    try {
      value = binder.bind(p.route);
    } catch (RuntimeException e) {
      p.future.completeExceptionally(e);
      return;
    }
    p.future.complete(value);
  }

  /** Reads a reply's value for the call's route; throws to fail the call. */
  @FunctionalInterface
  interface ReplyBinder {
    Object bind(RouteDescriptor route);
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
      log.debug("Connection to {} failed", client.uri(), cause);
      if (closeReason.isEmpty()) {
        closeReason = String.valueOf(cause.getMessage());
      }
    }
    ctx.channel().close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    List<Pending> left = List.copyOf(pending.values());
    pending.clear();
    for (Pending p : left) {
      p.future.completeExceptionally(ZocketClient.disconnected(p.route, null));
    }
    client.closed(this, open, closeCode, closeReason, failure);
    super.channelInactive(ctx);
  }
}
