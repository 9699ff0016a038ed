package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.internal.RouteDescriptor;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of one connection (extension, see the Streams section of docs/protocol.md): a
 * contract method returning {@code Flow.Publisher<T>} answers its start with an empty reply, then
 * sends {@code __stream_item} frames, never more than the client granted with {@code
 * __stream_credit}, and one {@code __stream_end} (with an {@code error} when the publisher failed).
 * A {@code __stream_cancel}, the connection's close, or a failure to write cancels the publisher's
 * subscription at once.
 *
 * <p>Bounds: at most {@link #MAX_STREAMS} streams per connection are open (or starting), a further
 * start is answered {@code LIMIT_EXCEEDED}; at most {@link #MAX_CREDIT} items per stream may be
 * granted and not yet sent, a grant beyond it ends the stream with {@code LIMIT_EXCEEDED}. So what
 * a stream can make the server hold is bounded by its credit, and items go through the connection's
 * {@link FrameWriter} as replies do, under the slow-consumer rules: a client that grants credit and
 * does not read is a slow consumer like any other. Items are written only as credit allows, so a
 * stream whose client does not grant more costs nothing and holds back no other stream or message.
 *
 * <p>Only a client that asked with {@code x-zocket-streams=1} may start a stream; a version 1
 * client, which never asks, gets {@code NOT_FOUND} for a stream route and never sees a stream
 * frame.
 *
 * <p>Threading: {@link #reserve}, {@link #control} and {@link #closeAll} run on the connection's
 * I/O thread; {@link #open} and {@link #refused} on the thread that ran the handler; the
 * publisher's signals may come from any thread (one at a time per subscription, as {@code Flow}
 * requires). The publisher's {@code request} and {@code cancel} are called on the handler executor,
 * one task at a time per stream, never on the I/O thread. Each stream's state is guarded by its own
 * lock, never held while calling the publisher.
 */
final class ServerStreams {
  private static final Logger log = LoggerFactory.getLogger(ServerStreams.class);

  /** Publishers' failures: a client may make one fail in a loop. */
  private static final RateLimitedLog failures = new RateLimitedLog(log);

  /** The most streams one connection may have open or starting at once. */
  static final int MAX_STREAMS = 32;

  /** The most items a client may have granted to one stream and not yet received. */
  static final long MAX_CREDIT = 1024;

  /** Calls of a publisher's {@code request} in one executor task before it yields. */
  private static final int DRAIN_ROUNDS = 16;

  private static final AttributeKey<Boolean> ASKED =
      AttributeKey.valueOf(ServerStreams.class, "zocket-streams");

  private final ServerConnection connection;
  private final FrameWriter writer;
  private final EnvelopeWriter envelopes;
  private final Executor executor;
  private final Channel channel;
  private final boolean negotiated;

  /**
   * The streams starting or open, by the rpcId of their start; an empty map that is never written
   * for {@link #NOT_ASKED}.
   */
  private final Map<String, Stream> streams;

  /** Set on the I/O thread once the connection has closed: every stream was cancelled. */
  private volatile boolean closed;

  /**
   * Stands for the streams of every connection whose client did not ask for them (most: they do not
   * pay for an instance). It refuses every start, and {@link #control} says no: those controls are
   * unknown routes.
   */
  private static final ServerStreams NOT_ASKED = new ServerStreams(null, null, null, null, null);

  /** A connection's streams: its own when its client asked for them, else {@link #NOT_ASKED}. */
  static ServerStreams of(
      ServerConnection connection,
      Channel channel,
      FrameWriter writer,
      EnvelopeWriter envelopes,
      Executor executor) {
    // hasAttr first: attr() alone would give every connection an attribute it does not need.
    boolean asked = channel.hasAttr(ASKED) && Boolean.TRUE.equals(channel.attr(ASKED).get());
    return asked ? new ServerStreams(connection, channel, writer, envelopes, executor) : NOT_ASKED;
  }

  /** Streams of a client that asked for them; {@link #NOT_ASKED} when every argument is null. */
  private ServerStreams(
      ServerConnection connection,
      Channel channel,
      FrameWriter writer,
      EnvelopeWriter envelopes,
      Executor executor) {
    this.connection = connection;
    this.writer = writer;
    this.envelopes = envelopes;
    this.executor = executor;
    this.channel = channel;
    this.negotiated = connection != null;
    this.streams = negotiated ? new ConcurrentHashMap<>() : Map.of();
  }

  /**
   * By the handshake stage, before the upgrade: marks the channel when the request asks for streams
   * ({@code x-zocket-streams=1} as a query parameter, or a header of that name).
   */
  static void negotiate(Channel channel, HttpRequest request, QueryStringDecoder query) {
    List<String> values = query.parameters().get(Protocol.STREAMS_HEADER);
    String value = values != null ? values.get(0) : request.headers().get(Protocol.STREAMS_HEADER);
    if ("1".equals(value)) {
      channel.attr(ASKED).set(Boolean.TRUE);
    }
  }

  /** How many streams are open or starting. Any thread. */
  int open() {
    return streams.size();
  }

  /**
   * On the I/O thread, when a stream's start arrives: keeps its place, so that credits and a cancel
   * sent right behind it apply while its handler waits or runs.
   *
   * @return null, or why the start is refused (the caller answers it)
   */
  ZocketException reserve(Dispatcher.Inbound start) {
    String rpcId = start.rpcId();
    if (!negotiated) {
      return new ZocketException(
          ErrorCodes.NOT_FOUND,
          "Route '"
              + start.route()
              + "' is a stream; connect with "
              + Protocol.STREAMS_HEADER
              + "=1 to start it");
    }
    if (streams.size() >= MAX_STREAMS) {
      return new ZocketException(
          ErrorCodes.LIMIT_EXCEEDED,
          "Too many streams open on this connection (at most " + MAX_STREAMS + ")");
    }
    if (closed) {
      return null; // the handler's publisher is cancelled as it comes (see open)
    }
    Stream stream = new Stream(rpcId, start.route());
    if (streams.putIfAbsent(rpcId, stream) != null) {
      return new ZocketException(
          ErrorCodes.INVALID_PAYLOAD, "A stream with rpcId " + rpcId + " is already open");
    }
    return null;
  }

  /**
   * On the I/O thread: applies a credit or a cancel. A late one, for a stream that has ended, is
   * ignored.
   *
   * @return false when the client did not ask for streams: the message is an unknown route then
   */
  boolean control(Dispatcher.Inbound in) {
    if (!negotiated) {
      return false;
    }
    Stream stream = streams.get(in.rpcId());
    if (stream == null) {
      log.debug(
          "Client {}: ignored {} for a stream that is not open",
          connection.clientId(),
          in.streamControl());
      return true;
    }
    if (Protocol.STREAM_CANCEL_TYPE.equals(in.streamControl())) {
      stream.cancel();
    } else if (in.credit() <= 0) {
      stream.fail(
          new ZocketException(ErrorCodes.INVALID_PAYLOAD, "A stream credit is a positive integer"));
    } else {
      stream.credit(in.credit());
    }
    return true;
  }

  /**
   * On the handler's thread: answers the start and subscribes the stream to the publisher. On a
   * connection that closed meanwhile, the publisher is subscribed and cancelled at once.
   *
   * @param accept answers the start; what it throws, the caller answers as an error
   */
  void open(String rpcId, RouteDescriptor route, Flow.Publisher<?> publisher, Runnable accept) {
    Stream stream = streams.get(rpcId);
    if (stream == null) { // the connection closed and cancelled it
      stream = new Stream(rpcId, route.route());
      stream.cancel();
    }
    accept.run();
    ZocketException failed = stream.opened();
    if (failed != null) {
      stream.end(failed); // it failed while its handler waited: the end follows the answer
    }
    publisher.subscribe(stream);
  }

  /** A start was answered with an error: forgets its place. Any thread. */
  void refused(String rpcId) {
    Stream stream = streams.remove(rpcId);
    if (stream != null) {
      stream.cancel();
    }
  }

  /** On the I/O thread, once the connection has closed: cancels every stream. */
  void closeAll() {
    if (!negotiated) {
      return; // NOT_ASKED: shared, nothing to cancel
    }
    closed = true;
    for (Stream stream : List.copyOf(streams.values())) {
      stream.cancel();
    }
  }

  /** One stream: the subscriber of its publisher, and its credit. */
  private final class Stream implements Flow.Subscriber<Object> {
    private final String rpcId;
    private final String route;

    // Guarded by this.
    private Flow.Subscription subscription;

    /** Items the client granted and was not sent yet. */
    private long credit;

    /** Granted and not yet passed to the publisher ({@code request}). */
    private long unrequested;

    /** Ended: completed, failed or cancelled; nothing more is sent or requested. */
    private boolean done;

    /** Whether the publisher is to be (or was) cancelled. */
    private boolean cancelling;

    /** Whether the publisher was told: {@code cancel()} was called. */
    private boolean cancelled;

    /** Whether a task calls the publisher's {@code request} or {@code cancel} now. */
    private boolean draining;

    /** Whether its start was answered ({@link #open}): until then, an end waits. */
    private boolean open;

    /** Why it failed before its start was answered: sent right behind the answer. */
    private ZocketException failedEarly;

    Stream(String rpcId, String route) {
      this.rpcId = rpcId;
      this.route = route;
    }

    /**
     * Marks the start as answered; returns why it failed meanwhile (its end to send behind the
     * answer), or null. Forgets a stream that failed.
     */
    ZocketException opened() {
      ZocketException failed;
      synchronized (this) {
        open = true;
        failed = failedEarly;
        failedEarly = null;
      }
      if (failed != null) {
        streams.remove(rpcId, this);
      }
      return failed;
    }

    void credit(long n) {
      boolean over;
      synchronized (this) {
        if (done) {
          return;
        }
        over = n > MAX_CREDIT - credit;
        if (!over) {
          credit += n;
          unrequested += n;
        }
      }
      if (over) {
        fail(
            new ZocketException(
                ErrorCodes.LIMIT_EXCEEDED,
                "Stream credit over " + MAX_CREDIT + " items granted and not yet sent"));
        return;
      }
      drainLater();
    }

    /** Ends the stream without a word to the client: it cancelled, or the connection closed. */
    void cancel() {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        cancelling = true;
      }
      streams.remove(rpcId, this);
      drainLater();
    }

    /**
     * Ends the stream with an error sent to the client, and cancels the publisher. Before its start
     * was answered, the end waits for the answer, and the stream keeps its place until then.
     */
    void fail(ZocketException error) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        cancelling = true;
        if (!open) {
          failedEarly = error;
          return; // nothing subscribed yet: onSubscribe cancels
        }
      }
      streams.remove(rpcId, this);
      end(error);
      drainLater();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      boolean second;
      synchronized (this) {
        second = subscription != null;
        if (!second) {
          subscription = s;
        }
      }
      if (second) {
        s.cancel(); // a second subscription breaks the Flow rules (2.5)
        return;
      }
      drainLater();
    }

    /**
     * Passes what was granted, or the cancellation, to the publisher on the handler executor: one
     * task at a time per stream, so {@code request} and {@code cancel} are called serially (Flow
     * rule 2.7), and never on the I/O thread, where a publisher that works in {@code request} (a
     * database cursor, say) would hold up every connection of the thread.
     */
    private void drainLater() {
      synchronized (this) {
        if (draining || subscription == null || cancelled) {
          return;
        }
        draining = true;
      }
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          draining = false;
        }
        cancelNow(); // the server is stopping: the publisher is cancelled here
      }
    }

    private void drain() {
      for (int round = 0; ; round++) {
        Flow.Subscription s;
        long n;
        boolean cancel;
        synchronized (this) {
          s = subscription;
          cancel = cancelling && !cancelled;
          n = cancel ? 0 : unrequested;
          unrequested = 0;
          if (cancel) {
            cancelled = true;
          }
          if (!cancel && (n == 0 || round == DRAIN_ROUNDS)) {
            draining = false;
            if (n > 0) {
              unrequested = n; // yield to other work; another task goes on
            } else {
              return;
            }
          }
        }
        if (cancel) {
          cancelQuietly(s);
          synchronized (this) {
            draining = false;
          }
          return;
        }
        if (round == DRAIN_ROUNDS) {
          drainLater();
          return;
        }
        try {
          s.request(n);
        } catch (RuntimeException e) { // breaks Flow rule 3.16: the stream ends
          failures.error("The publisher of stream '{}' threw from request", route, e);
          fail(new ZocketException(ErrorCodes.INTERNAL, "Internal error"));
        }
      }
    }

    /** Cancels the publisher on the calling thread, once. */
    private void cancelNow() {
      Flow.Subscription s;
      synchronized (this) {
        if (cancelled || subscription == null) {
          return;
        }
        cancelled = true;
        s = subscription;
      }
      cancelQuietly(s);
    }

    private void cancelQuietly(Flow.Subscription s) {
      try {
        s.cancel();
      } catch (RuntimeException e) { // breaks Flow rule 3.15
        failures.error("The publisher of stream '{}' threw from cancel", route, e);
      }
    }

    @Override
    public void onNext(Object item) {
      boolean overflow;
      synchronized (this) {
        if (done) {
          return;
        }
        overflow = credit == 0 || item == null;
        if (!overflow) {
          credit--;
        }
      }
      if (overflow) {
        failures.error(
            "The publisher of stream '{}' broke the Flow rules: {}",
            route,
            item == null ? "a null item" : "more items than requested");
        fail(new ZocketException(ErrorCodes.INTERNAL, "Internal error"));
        return;
      }
      try {
        writer.reply(
            out -> envelopes.writeEnvelope(out, Protocol.STREAM_ITEM_TYPE, item, true, rpcId));
      } catch (ZocketException e) {
        fail(e); // the server-wide budget refused it
      } catch (RuntimeException e) {
        failures.error("An item of stream '{}' could not be written", route, e);
        fail(new ZocketException(ErrorCodes.INTERNAL, "Internal error"));
      }
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      streams.remove(rpcId, this);
      ZocketException error;
      if (t instanceof ZocketException z) {
        log.debug("Stream '{}' ended with {}: {}", route, LogSafe.text(z.code()), z.getMessage());
        error = z;
      } else {
        failures.error("The publisher of stream '{}' failed", route, t);
        error = new ZocketException(ErrorCodes.INTERNAL, "Internal error");
      }
      end(error);
    }

    @Override
    public void onComplete() {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      streams.remove(rpcId, this);
      end(null);
    }

    /**
     * Sends the stream's end, with an error or without; never fails. Always as a task of the I/O
     * thread, even from it: behind the answer to the start and the items handed over before, which
     * travel as such tasks from the threads that wrote them.
     */
    void end(ZocketException error) {
      try {
        channel.eventLoop().execute(() -> writeEnd(error));
      } catch (RejectedExecutionException e) {
        log.debug("Client {}: the end of stream '{}' was not sent", connection.clientId(), route);
      }
    }

    private void writeEnd(ZocketException error) {
      try {
        if (error == null) {
          writer.reply(
              out -> envelopes.writeEnvelope(out, Protocol.STREAM_END_TYPE, null, false, rpcId));
        } else {
          writer.reply(out -> envelopes.writeError(out, Protocol.STREAM_END_TYPE, rpcId, error));
        }
      } catch (RuntimeException e) {
        log.debug(
            "Client {}: the end of stream '{}' was not sent", connection.clientId(), route, e);
      }
    }
  }
}
