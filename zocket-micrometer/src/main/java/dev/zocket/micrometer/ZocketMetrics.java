package dev.zocket.micrometer;

import dev.zocket.DropReason;
import dev.zocket.spi.ZocketObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ZocketObserver} that keeps a Zocket server's meters in a Micrometer {@link
 * MeterRegistry}: connections, refused handshakes, messages received and handled, events sent,
 * drops, slow consumers, the recovery store and the backplane.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .observer(ZocketMetrics.create(meterRegistry))
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .start();
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>Meters, with their tags</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Unit; what it counts</th></tr>
 *   <tr><td>{@code zocket.connections}</td><td>gauge</td><td></td>
 *       <td>connections open now</td></tr>
 *   <tr><td>{@code zocket.connections.opened}</td><td>counter</td><td></td>
 *       <td>connections opened</td></tr>
 *   <tr><td>{@code zocket.connections.closed}</td><td>counter</td><td>{@code code}</td>
 *       <td>connections closed, by close code ({@code 1000} to {@code 1015}; {@code 3xxx} and
 *       {@code 4xxx} for the application ranges)</td></tr>
 *   <tr><td>{@code zocket.handshakes.rejected}</td><td>counter</td><td>{@code reason}</td>
 *       <td>handshakes refused, by {@link ZocketObserver.HandshakeRejection}</td></tr>
 *   <tr><td>{@code zocket.messages.received}</td><td>counter</td><td>{@code route}, {@code
 *       kind}</td><td>messages read ({@code kind}: {@code call} or {@code message})</td></tr>
 *   <tr><td>{@code zocket.messages.queue.wait}</td><td>timer</td><td>{@code route}, {@code
 *       kind}</td><td>seconds between being read and the handling starting</td></tr>
 *   <tr><td>{@code zocket.messages.handled}</td><td>timer</td><td>{@code route}, {@code kind},
 *       {@code outcome}</td><td>seconds the interceptors and handler took, up to the answer
 *       ({@code outcome}: {@code OK} or the error code)</td></tr>
 *   <tr><td>{@code zocket.messages.dropped}</td><td>counter</td><td>{@code reason}</td>
 *       <td>messages dropped, by {@link DropReason}</td></tr>
 *   <tr><td>{@code zocket.events.sent}</td><td>counter</td><td>{@code route}</td>
 *       <td>events emitted on this server</td></tr>
 *   <tr><td>{@code zocket.events.recipients}</td><td>distribution summary</td><td>{@code
 *       route}</td><td>local connections per event</td></tr>
 *   <tr><td>{@code zocket.events.bytes}</td><td>distribution summary</td><td>{@code route}</td>
 *       <td>bytes per encoded event frame</td></tr>
 *   <tr><td>{@code zocket.slow.consumers}</td><td>counter</td><td>{@code action}</td>
 *       <td>slow consumer actions ({@code closed} or {@code dropped})</td></tr>
 *   <tr><td>{@code zocket.recovery.evicted}</td><td>counter</td><td>{@code bound}</td>
 *       <td>events the in-memory recovery store dropped before their window, by the bound it
 *       reached ({@code max_events} or {@code max_bytes})</td></tr>
 *   <tr><td>{@code zocket.backplane.published}</td><td>counter</td><td></td>
 *       <td>events handed to the backplane</td></tr>
 *   <tr><td>{@code zocket.backplane.received}</td><td>counter</td><td></td>
 *       <td>events received from other nodes</td></tr>
 *   <tr><td>{@code zocket.backplane.outages}</td><td>counter</td><td></td>
 *       <td>times the backplane lost its connection</td></tr>
 *   <tr><td>{@code zocket.backplane.lost}</td><td>counter</td><td></td>
 *       <td>events other nodes published for this node that did not arrive (found from gaps in
 *       their numbering)</td></tr>
 *   <tr><td>{@code zocket.backplane.up}</td><td>gauge</td><td></td>
 *       <td>1 while the backplane is connected (or there is none), 0 during an outage</td></tr>
 * </table>
 *
 * <p>Tags are bounded: routes are the server's contract routes (a message for a route the server
 * does not have is counted under {@code <unknown>}), outcomes are error codes, reasons and actions
 * are enums. Client ids are never tags. The meters without tags, and those tagged by {@code
 * reason}, {@code action} and {@code bound}, are registered at zero when this is created; the
 * others when first used.
 *
 * <p>Threading: thread-safe, as an observer must be; one instance may serve several servers, whose
 * counts it then adds up. Create one per registry: a second one's gauges would not be registered.
 * Meters are looked up once per route and outcome, then cached: recording does not allocate.
 */
public final class ZocketMetrics implements ZocketObserver {
  private static final ZocketObserver.MessageKind[] KINDS = ZocketObserver.MessageKind.values();

  private final MeterRegistry registry;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger backplaneUp = new AtomicInteger(1);
  private final Counter opened;
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<HandshakeRejection, Counter> rejected = new EnumMap<>(HandshakeRejection.class);
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final Map<SlowConsumerAction, Counter> slow = new EnumMap<>(SlowConsumerAction.class);
  private final Map<RecoveryBound, Counter> evicted = new EnumMap<>(RecoveryBound.class);
  private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final Map<String, EventMeters> events = new ConcurrentHashMap<>();
  private final Counter published;
  private final Counter received;
  private final Counter outages;
  private final Counter lost;

  private ZocketMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("zocket.connections", open, AtomicInteger::get)
        .description("Connections open now")
        .register(registry);
    opened =
        Counter.builder("zocket.connections.opened")
            .description("Connections opened")
            .register(registry);
    for (HandshakeRejection r : HandshakeRejection.values()) {
      rejected.put(
          r,
          Counter.builder("zocket.handshakes.rejected")
              .description("WebSocket handshakes refused")
              .tag("reason", r.name())
              .register(registry));
    }
    for (DropReason r : DropReason.values()) {
      dropped.put(
          r,
          Counter.builder("zocket.messages.dropped")
              .description("Messages neither handled nor answered")
              .tag("reason", r.name())
              .register(registry));
    }
    for (SlowConsumerAction a : SlowConsumerAction.values()) {
      slow.put(
          a,
          Counter.builder("zocket.slow.consumers")
              .description("What the server did to connections behind on their events")
              .tag("action", a.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    for (RecoveryBound b : RecoveryBound.values()) {
      evicted.put(
          b,
          Counter.builder("zocket.recovery.evicted")
              .description("Events the recovery store dropped before their window, by bound")
              .tag("bound", b.name().toLowerCase(Locale.ROOT))
              .register(registry));
    }
    published =
        Counter.builder("zocket.backplane.published")
            .description("Events handed to the backplane for the other nodes")
            .register(registry);
    received =
        Counter.builder("zocket.backplane.received")
            .description("Events received from other nodes through the backplane")
            .register(registry);
    outages =
        Counter.builder("zocket.backplane.outages")
            .description("Times the backplane lost its connection")
            .register(registry);
    lost =
        Counter.builder("zocket.backplane.lost")
            .description("Events other nodes published for this node that did not arrive")
            .register(registry);
    Gauge.builder("zocket.backplane.up", backplaneUp, AtomicInteger::get)
        .description("1 while the backplane is connected (or there is none), 0 during an outage")
        .register(registry);
  }

  /**
   * Metrics kept in {@code registry}; registers the meters without route tags at once.
   *
   * @param registry where the meters are registered
   * @return an observer to pass to {@code ZocketServer.Builder.observer}
   */
  public static ZocketMetrics create(MeterRegistry registry) {
    return new ZocketMetrics(Objects.requireNonNull(registry, "registry == null"));
  }

  /** Counts the connection and raises {@code zocket.connections}. On the I/O thread. */
  @Override
  public void onConnectionOpened(String clientId) {
    opened.increment();
    open.incrementAndGet(); // last: who sees the gauge rise sees the connection counted
  }

  /** Counts the close by code and lowers {@code zocket.connections}. On the I/O thread. */
  @Override
  public void onConnectionClosed(String clientId, int closeCode) {
    String code = codeTag(closeCode);
    closed
        .computeIfAbsent(
            code,
            c ->
                Counter.builder("zocket.connections.closed")
                    .description("Connections closed, by close code")
                    .tag("code", c)
                    .register(registry))
        .increment();
    open.decrementAndGet(); // last: who sees the gauge fall sees the close counted
  }

  /** A close code as a tag: itself among the codes RFC 6455 defines, else its range. */
  static String codeTag(int code) {
    if (code >= 1000 && code <= 1015) {
      return Integer.toString(code);
    }
    if (code >= 3000 && code <= 3999) {
      return "3xxx";
    }
    if (code >= 4000 && code <= 4999) {
      return "4xxx";
    }
    return "other";
  }

  /** Counts the refusal by reason. On the I/O thread. */
  @Override
  public void onHandshakeRejected(HandshakeRejection reason, int httpStatus) {
    rejected.get(reason).increment();
  }

  /** Counts the message by route and kind. On the I/O thread. */
  @Override
  public void onMessageReceived(String route, MessageKind kind) {
    route(route).received[kind.ordinal()].increment();
  }

  /**
   * Records the queue wait and the handling time by route, kind and outcome. On the handler thread
   * (or the one that completed an asynchronous handler).
   */
  @Override
  public void onMessageHandled(
      String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String errorCode) {
    RouteMeters m = route(route);
    m.queueWait[kind.ordinal()].record(queueWaitNanos, TimeUnit.NANOSECONDS);
    m.handled(kind, errorCode == null ? "OK" : errorCode)
        .record(handlerNanos, TimeUnit.NANOSECONDS);
  }

  /** Counts the event and records its recipients and size by route. On the emitting thread. */
  @Override
  public void onEventSent(String route, int recipients, int bytes) {
    EventMeters m = events.computeIfAbsent(route, EventMeters::new);
    m.sent.increment();
    m.recipients.record(recipients);
    m.bytes.record(bytes);
  }

  /** Counts the drop by reason. On the I/O thread or a handler thread. */
  @Override
  public void onDropped(DropReason reason) {
    dropped.get(reason).increment();
  }

  /** Counts the action. On the I/O thread. */
  @Override
  public void onSlowConsumer(SlowConsumerAction action) {
    slow.get(action).increment();
  }

  /** Counts the events evicted by the bound reached. On the emitting thread. */
  @Override
  public void onRecoveryEvicted(RecoveryBound bound, int events, long bytes) {
    evicted.get(bound).increment(events);
  }

  /** Counts the event published. On the emitting thread. */
  @Override
  public void onBackplanePublished(int bytes) {
    published.increment();
  }

  /** Counts the event received. On the backplane's thread. */
  @Override
  public void onBackplaneReceived(int recipients, int bytes) {
    received.increment();
  }

  /** Counts the outage and sets {@code zocket.backplane.up} to 0. On the backplane's thread. */
  @Override
  public void onBackplaneOutage() {
    outages.increment();
    backplaneUp.set(0);
  }

  /** Counts the events lost on their way from another node. On the backplane's thread. */
  @Override
  public void onBackplaneLost(String fromNodeId, long events) {
    lost.increment(events);
  }

  /** Sets {@code zocket.backplane.up} to 1. On the backplane's thread. */
  @Override
  public void onBackplaneRecovered() {
    backplaneUp.set(1);
  }

  @Override
  public String toString() {
    return "ZocketMetrics(" + registry.getClass().getSimpleName() + ")";
  }

  private RouteMeters route(String route) {
    RouteMeters m = routes.get(route);
    return m != null ? m : routes.computeIfAbsent(route, RouteMeters::new);
  }

  private static String kindTag(MessageKind kind) {
    return kind == MessageKind.CALL ? "call" : "message";
  }

  /** The meters of one route: by kind, and by kind and outcome. */
  private final class RouteMeters {
    final String route;
    final Counter[] received = new Counter[KINDS.length];
    final Timer[] queueWait = new Timer[KINDS.length];

    @SuppressWarnings("unchecked") // an array of maps, one per kind
    final Map<String, Timer>[] handled = new Map[KINDS.length];

    RouteMeters(String route) {
      this.route = route;
      for (MessageKind kind : KINDS) {
        int i = kind.ordinal();
        received[i] =
            Counter.builder("zocket.messages.received")
                .description("Messages read")
                .tag("route", route)
                .tag("kind", kindTag(kind))
                .register(registry);
        queueWait[i] =
            Timer.builder("zocket.messages.queue.wait")
                .description("Time between a message being read and its handling starting")
                .tag("route", route)
                .tag("kind", kindTag(kind))
                .register(registry);
        handled[i] = new ConcurrentHashMap<>();
      }
    }

    Timer handled(MessageKind kind, String outcome) {
      Map<String, Timer> byOutcome = handled[kind.ordinal()];
      Timer t = byOutcome.get(outcome);
      return t != null
          ? t
          : byOutcome.computeIfAbsent(
              outcome,
              o ->
                  Timer.builder("zocket.messages.handled")
                      .description("Time the interceptors and handler of a message took")
                      .tag("route", route)
                      .tag("kind", kindTag(kind))
                      .tag("outcome", o)
                      .register(registry));
    }
  }

  /** The meters of the events of one route. */
  private final class EventMeters {
    final Counter sent;
    final DistributionSummary recipients;
    final DistributionSummary bytes;

    EventMeters(String route) {
      sent =
          Counter.builder("zocket.events.sent")
              .description("Events emitted on this server")
              .tag("route", route)
              .register(registry);
      recipients =
          DistributionSummary.builder("zocket.events.recipients")
              .description("Local connections an event was written to")
              .tag("route", route)
              .register(registry);
      bytes =
          DistributionSummary.builder("zocket.events.bytes")
              .description("Size of an encoded event frame")
              .baseUnit("bytes")
              .tag("route", route)
              .register(registry);
    }
  }
}
