package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteDescriptor;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of one connection (extension, see the Streams section of docs/protocol.md), by the
 * {@code rpcId} of their start. Each is a {@link Flow.Subscription}: the subscriber's demand
 * becomes credits granted to the server, at most {@link #WINDOW} items ahead of what arrived, and
 * never more than the subscriber asked for, so every item that arrives has a demand waiting for it
 * and nothing is buffered beyond the callback thread's queue. A stream ends once: with its end from
 * the server, an error, its cancellation, or the end of the connection ({@code DISCONNECTED}: a
 * stream does not survive a reconnect).
 *
 * <p>Threading: frames arrive on the connection's event loop; {@code request} and {@code cancel}
 * may come from any thread; the subscriber's signals all run on the client's callback thread, one
 * at a time and in order.
 */
final class ClientStreams {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  /** The most items granted to the server and not yet received, per stream. */
  static final int WINDOW = 32;

  private final Channel channel;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();

  ClientStreams(Channel channel) {
    this.channel = channel;
  }

  /**
   * Starts a stream on this connection: sends its start, and tells the subscriber on the callback
   * thread. Any thread.
   *
   * @param start the encoded start, a request with {@code rpcId}
   * @param timeout how long the server may take to answer the start
   */
  void start(
      String rpcId,
      RouteDescriptor route,
      byte[] start,
      long timeout,
      EnvelopeWriter writer,
      CallbackThread callbacks,
      Flow.Subscriber<Object> subscriber) {
    Stream stream = new Stream(rpcId, route, writer, callbacks, subscriber);
    streams.put(rpcId, stream);
    callbacks.run(() -> subscriber.onSubscribe(stream));
    try {
      stream.timer =
          channel
              .eventLoop()
              .schedule(
                  () ->
                      stream.fail(
                          new ZocketException(
                              ErrorCodes.TIMEOUT,
                              "No answer to the start of stream "
                                  + route.route()
                                  + " within "
                                  + timeout
                                  + " ms"),
                          true),
                  timeout,
                  TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      stream.fail(PendingCalls.disconnected(route, closed), false);
      return;
    }
    write(start, stream);
    stream.started();
  }

  /**
   * The reply to a stream's start. Event loop.
   *
   * @param value reads the reply: throws the error it carries
   * @return false when the rpcId names no stream (a call's reply)
   */
  boolean replied(String rpcId, Function<RouteDescriptor, Object> value) {
    Stream stream = rpcId == null ? null : streams.get(rpcId);
    if (stream == null) {
      return false;
    }
    try {
      value.apply(stream.route);
      stream.accepted();
    } catch (ZocketException e) {
      stream.fail(e, false);
    } catch (RuntimeException e) {
      stream.fail(new ZocketException(ErrorCodes.INTERNAL, e.toString(), List.of(), e), true);
    }
    return true;
  }

  /**
   * An item of a stream. Event loop.
   *
   * @param value reads the item for the stream's route; what it throws fails the stream
   */
  void item(String rpcId, Function<RouteDescriptor, Object> value) {
    Stream stream = rpcId == null ? null : streams.get(rpcId);
    if (stream == null) {
      log.debug("Dropped an item of an unknown or finished stream {}", LogSafe.text(rpcId));
      return;
    }
    Object item;
    try {
      item = value.apply(stream.route);
    } catch (ZocketException e) {
      stream.fail(e, true);
      return;
    }
    if (item == null) {
      stream.fail(
          new ZocketException(
              ErrorCodes.INVALID_PAYLOAD, "An item of stream " + stream.route.route() + " is null"),
          true);
      return;
    }
    stream.item(item);
  }

  /**
   * The end of a stream. Event loop.
   *
   * @param error the error it carries, or null for completion
   */
  void ended(String rpcId, ZocketException error) {
    Stream stream = rpcId == null ? null : streams.get(rpcId);
    if (stream == null) {
      log.debug("Dropped the end of an unknown or finished stream {}", LogSafe.text(rpcId));
      return;
    }
    if (error == null) {
      stream.complete();
    } else {
      stream.fail(error, false);
    }
  }

  /** Fails every stream: the connection ended. Event loop. */
  void failAll() {
    for (Stream s : List.copyOf(streams.values())) {
      s.fail(
          new ZocketException(
              ErrorCodes.DISCONNECTED,
              "The connection closed before stream " + s.route.route() + " ended"),
          false);
    }
  }

  /** How many streams of this connection are open. Any thread. */
  int open() {
    return streams.size();
  }

  private void write(byte[] frame, Stream stream) {
    channel
        .writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)))
        .addListener(
            f -> {
              if (!f.isSuccess() && stream != null) {
                stream.fail(PendingCalls.disconnected(stream.route, f.cause()), false);
              }
            });
  }

  /** One stream, the subscription its subscriber holds. */
  private final class Stream implements Flow.Subscription {
    private final String rpcId;
    private final RouteDescriptor route;
    private final EnvelopeWriter writer;
    private final CallbackThread callbacks;
    private final Flow.Subscriber<Object> subscriber;

    /** Answers the start in time; set right after the stream is registered. */
    private volatile ScheduledFuture<?> timer;

    // Guarded by this.
    /** Items the subscriber asked for and was not handed yet. */
    private long demand;

    /** Items granted to the server and not yet received. */
    private long granted;

    private boolean done;

    /** Set once the start was handed to the channel: credits may follow it. */
    private boolean sent;

    Stream(
        String rpcId,
        RouteDescriptor route,
        EnvelopeWriter writer,
        CallbackThread callbacks,
        Flow.Subscriber<Object> subscriber) {
      this.rpcId = rpcId;
      this.route = route;
      this.writer = writer;
      this.callbacks = callbacks;
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        fail(
            new IllegalArgumentException(
                "Subscription.request(" + n + "): a request must be positive (Flow rule 3.9)"),
            true);
        return;
      }
      synchronized (this) {
        if (done) {
          return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
      }
      grant();
    }

    @Override
    public void cancel() {
      if (end()) {
        send(writer.encodeRequest(Protocol.STREAM_CANCEL_TYPE, null, false, rpcId));
      }
    }

    /** The start is on its way: credits asked for meanwhile go behind it. */
    void started() {
      synchronized (this) {
        sent = true;
      }
      grant();
    }

    /** Tops the server's credit up to the window, once half of it was used. */
    private void grant() {
      long n;
      synchronized (this) {
        if (done || !sent) {
          return;
        }
        long target = Math.min(demand, WINDOW);
        if (granted > target / 2) {
          return;
        }
        n = target - granted;
        if (n <= 0) {
          return;
        }
        granted += n;
      }
      send(writer.encodeRequest(Protocol.STREAM_CREDIT_TYPE, n, true, rpcId));
    }

    void accepted() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }

    void item(Object item) {
      boolean overrun;
      synchronized (this) {
        if (done) {
          return;
        }
        overrun = granted == 0;
        if (!overrun) {
          granted--;
          demand--;
        }
      }
      if (overrun) {
        fail(
            new ZocketException(
                ErrorCodes.INVALID_PAYLOAD,
                "The server sent an item of stream " + route.route() + " beyond its credit"),
            true);
        return;
      }
      accepted(); // an item means the start was taken
      callbacks.run(() -> subscriber.onNext(item));
      grant();
    }

    void complete() {
      if (end()) {
        callbacks.run(subscriber::onComplete);
      }
    }

    /**
     * Ends the stream with an error for the subscriber: a {@link ZocketException}, or the {@code
     * IllegalArgumentException} of a request that is not positive.
     *
     * @param tellServer whether the server may still be sending: it is told to stop
     */
    void fail(Throwable error, boolean tellServer) {
      if (end()) {
        if (tellServer) {
          send(writer.encodeRequest(Protocol.STREAM_CANCEL_TYPE, null, false, rpcId));
        }
        callbacks.run(() -> subscriber.onError(error));
      }
    }

    /** Marks the stream ended, once: true the first time. */
    private boolean end() {
      synchronized (this) {
        if (done) {
          return false;
        }
        done = true;
      }
      streams.remove(rpcId, this);
      accepted();
      return true;
    }

    private void send(byte[] frame) {
      if (channel.isActive()) {
        write(frame, null);
      }
    }
  }
}
