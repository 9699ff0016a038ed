package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.RouteDescriptor;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls of one connection that wait for their replies, by {@code rpcId}, each with its timeout.
 * A call ends once: with its reply, its timeout, or the end of the connection. Thread-safe.
 */
final class PendingCalls {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private record Pending(RouteDescriptor route, CompletableFuture<Object> future) {}

  private final Channel channel;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  /** The connection's streams (extension), which end with it as its calls do. */
  private final ClientStreams streams;

  PendingCalls(Channel channel) {
    this.channel = channel;
    this.streams = new ClientStreams(channel);
  }

  /** The connection's streams. */
  ClientStreams streams() {
    return streams;
  }

  /** Sends a call and returns its reply's future. Any thread. */
  CompletableFuture<Object> call(String rpcId, RouteDescriptor route, byte[] frame, long timeout) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    pending.put(rpcId, new Pending(route, future));
    ScheduledFuture<?> timer;
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
      future.completeExceptionally(disconnected(route, closed));
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
                future.completeExceptionally(disconnected(route, f.cause()));
              }
            });
    return future;
  }

  /**
   * Completes a call with its reply. Event loop.
   *
   * @param value reads the reply's value for the call's route; what it throws fails the call
   */
  void replied(String rpcId, Function<RouteDescriptor, Object> value) {
    Pending p = rpcId == null ? null : pending.get(rpcId);
    if (p == null) {
      log.debug("Dropped a reply to an unknown or finished call {}", LogSafe.text(rpcId));
      return;
    }
    Object v;
    try {
      v = value.apply(p.route);
    } catch (RuntimeException e) {
      p.future.completeExceptionally(e);
      return;
    }
    p.future.complete(v);
  }

  /**
   * Sends an answer to an acknowledged event on this connection; dropped (logged at debug) if it
   * has closed, as the server has then failed the event already. Any thread.
   */
  void send(byte[] frame) {
    channel
        .writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                log.debug("An answer was not sent: the connection closed", f.cause());
              }
            });
  }

  /** Fails every call and stream still waiting: the connection ended. Event loop. */
  void failAll() {
    streams.failAll();
    List<Pending> left = List.copyOf(pending.values());
    pending.clear();
    for (Pending p : left) {
      p.future.completeExceptionally(disconnected(p.route, null));
    }
  }

  /** Why a call got no reply: the connection closed first. */
  static ZocketException disconnected(RouteDescriptor route, Throwable cause) {
    return new ZocketException(
        ErrorCodes.DISCONNECTED,
        "The connection closed before the reply to " + route.route() + " arrived",
        List.of(),
        cause);
  }
}
