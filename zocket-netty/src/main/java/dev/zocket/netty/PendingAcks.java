package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteDescriptor;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledged-events extension on one connection: negotiated by the handshake ({@code
 * x-zocket-acks=1}), it is this object, kept as an attribute of the channel; a connection that did
 * not ask has none and is never sent an acknowledged event. Holds the events sent and not answered
 * yet, by {@code rpcId}, each with its timeout; each ends once, with its answer, its timeout, or
 * the channel's close ({@code DISCONNECTED}). See the "Acknowledged events" section of
 * docs/protocol.md.
 *
 * <p>Threading: {@link #ask} from any thread; answers are read on the I/O thread; the futures
 * complete on the server's handler executor ({@link AckedEvents#settle}). Guarded by this object's
 * lock, held briefly and never while completing a future.
 */
final class PendingAcks {
  private static final Logger log = LoggerFactory.getLogger(PendingAcks.class);

  private static final AttributeKey<PendingAcks> KEY =
      AttributeKey.valueOf(PendingAcks.class, "zocket-acks");

  /** What every answer holds, quoted: found in a frame, it may be an answer (see answered). */
  private static final byte[] MARK =
      ("\"" + Protocol.ACK_TYPE + "\"").getBytes(StandardCharsets.US_ASCII);

  private record Pending(
      RouteDescriptor route, CompletableFuture<Object> future, ScheduledFuture<?> timer) {}

  private final Channel channel;

  /** The server's side, set by the first {@link #ask}; before it, every answer is unsolicited. */
  private volatile AckedEvents server;

  private final Map<String, Pending> pending = new HashMap<>();
  private long lastId;
  private boolean closed;

  private PendingAcks(Channel channel) {
    this.channel = channel;
  }

  /**
   * By the handshake stage, before the upgrade: gives the channel its pending acknowledgements when
   * the request asks for the extension ({@code x-zocket-acks=1} as a query parameter, or a header
   * of that name); they fail with {@code DISCONNECTED} when the channel closes.
   */
  static void negotiate(Channel channel, HttpRequest request, QueryStringDecoder query) {
    List<String> values = query.parameters().get(Protocol.ACKS_HEADER);
    String value = values != null ? values.get(0) : request.headers().get(Protocol.ACKS_HEADER);
    if ("1".equals(value)) {
      PendingAcks acks = new PendingAcks(channel);
      channel.attr(KEY).set(acks);
      channel.closeFuture().addListener(f -> acks.disconnected());
    }
  }

  /** The pending acknowledgements of a channel; null when its client did not ask for them. */
  static PendingAcks of(Channel channel) {
    // hasAttr first: attr() alone would give every connection an attribute it does not need.
    return channel.hasAttr(KEY) ? channel.attr(KEY).get() : null;
  }

  /**
   * For each message read on the I/O thread: takes a client's answer to an acknowledged event.
   *
   * @return true when the message was an answer (handled, or dropped when no event waits for it):
   *     it is not to be dispatched
   */
  static boolean answered(Channel channel, byte[] data, int offset, int length) {
    PendingAcks acks = of(channel);
    if (acks == null || !contains(data, offset, length)) {
      return false; // the common case: a plain message, found without parsing it
    }
    AckedEvents server = acks.server;
    if (server == null) {
      return false; // no event was sent: an ordinary message, for an unknown route
    }
    MessageReader.Message<MessageReader.Routed> answer = server.read(data, offset, length);
    if (answer == null) {
      return false; // not an envelope: the dispatcher drops and counts it
    }
    if (!Protocol.ACK_TYPE.equals(answer.type())) {
      return false; // "__ack" was in a payload: an ordinary message
    }
    acks.answer(server, answer);
    return true;
  }

  /** Sends an acknowledged event on this channel; see {@link AckedEvents#ask}. Any thread. */
  void ask(
      AckedEvents server,
      ServerConnection connection,
      RouteDescriptor route,
      CompletableFuture<Object> future,
      Function<String, Outgoing> event,
      long timeoutMillis) {
    this.server = server;
    String rpcId;
    synchronized (this) {
      if (closed) {
        server.fail(future, server.disconnected(route, connection.clientId()));
        return;
      }
      if (pending.size() >= server.maxPerConnection()) {
        server.fail(
            future,
            new ZocketException(
                ErrorCodes.LIMIT_EXCEEDED,
                "Client "
                    + connection.clientId()
                    + " has "
                    + pending.size()
                    + " acknowledged events waiting for answers, the most allowed"
                    + " (maxPendingAcks); "
                    + route.route()
                    + " was not sent"));
        return;
      }
      if (!server.reserve()) {
        server.fail(
            future,
            new ZocketException(
                ErrorCodes.LIMIT_EXCEEDED,
                "The server has "
                    + server.maxPerServer()
                    + " acknowledged events waiting for answers, the most allowed"
                    + " (maxPendingAcks); "
                    + route.route()
                    + " was not sent"));
        return;
      }
      rpcId = Long.toString(++lastId);
      ScheduledFuture<?> timer;
      try {
        timer =
            channel
                .eventLoop()
                .schedule(
                    () -> timedOut(rpcId, timeoutMillis), timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        server.released();
        server.fail(future, server.disconnected(route, connection.clientId()));
        return;
      }
      pending.put(rpcId, new Pending(route, future, timer));
    }
    // A caller that gives up (cancels, or completes the future itself) frees its place at once.
    future.whenComplete((v, e) -> forget(rpcId));
    try {
      connection.writeAcked(event.apply(rpcId));
    } catch (RuntimeException e) { // over the budget, or the payload failed to serialize
      Pending p = take(rpcId);
      if (p != null) {
        p.timer.cancel(false);
        server.fail(
            future,
            e instanceof ZocketException z
                ? z
                : new ZocketException(
                    ErrorCodes.INTERNAL,
                    "The event " + route.route() + " could not be written: " + e,
                    List.of(),
                    e));
      }
    }
  }

  /** The future completed: forgets its event if it still waits (the caller gave up). */
  private void forget(String rpcId) {
    Pending p = take(rpcId);
    if (p != null) {
      p.timer.cancel(false);
    }
  }

  private void answer(AckedEvents server, MessageReader.Message<MessageReader.Routed> answer) {
    String rpcId = answer.rpcId();
    Pending p = rpcId == null ? null : take(rpcId);
    if (p == null) {
      log.debug(
          "Dropped an answer on {} to an unknown or finished acknowledged event {}",
          channel,
          LogSafe.text(String.valueOf(rpcId)));
      return;
    }
    p.timer.cancel(false);
    Object value;
    try {
      value = server.reader().reply(p.route, answer);
    } catch (ZocketException e) {
      server.fail(p.future, e);
      return;
    } catch (RuntimeException e) {
      server.fail(p.future, new ZocketException(ErrorCodes.INTERNAL, "Internal error"));
      return;
    }
    server.succeed(p.future, value);
  }

  private void timedOut(String rpcId, long timeoutMillis) {
    Pending p = take(rpcId);
    if (p != null) {
      server.fail(
          p.future,
          new ZocketException(
              ErrorCodes.TIMEOUT,
              "No answer to " + p.route.route() + " within " + timeoutMillis + " ms"));
    }
  }

  /** When the channel has closed: fails every event still waiting for its answer, once. */
  private void disconnected() {
    List<Pending> left;
    synchronized (this) {
      closed = true;
      left = List.copyOf(pending.values());
      pending.clear();
    }
    AckedEvents s = server;
    for (Pending p : left) {
      p.timer.cancel(false);
      s.released();
      s.fail(
          p.future,
          new ZocketException(
              ErrorCodes.DISCONNECTED,
              "The connection closed before the answer to " + p.route.route() + " arrived"));
    }
  }

  /**
   * Removes a pending event and gives its place in the server-wide budget back; the one caller that
   * gets it settles it.
   */
  private Pending take(String rpcId) {
    Pending p;
    synchronized (this) {
      p = pending.remove(rpcId);
    }
    if (p != null) {
      server.released();
    }
    return p;
  }

  /** Whether the frame holds {@code "__ack"}: a cheap test before parsing. */
  private static boolean contains(byte[] data, int offset, int length) {
    int last = offset + length - MARK.length;
    outer:
    for (int i = offset; i <= last; i++) {
      for (int j = 0; j < MARK.length; j++) {
        if (data[i + j] != MARK[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
