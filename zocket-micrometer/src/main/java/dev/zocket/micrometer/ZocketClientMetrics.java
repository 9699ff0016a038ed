package dev.zocket.micrometer;

import dev.zocket.ZocketException;
import dev.zocket.client.ClientObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ClientObserver} that keeps a Zocket client's meters in a Micrometer {@link
 * MeterRegistry}: connections, failed connects, reconnect attempts, recoveries, calls by route with
 * their latency and outcome, messages sent and events received. The client's counterpart of {@link
 * ZocketMetrics}, with the same names under {@code zocket.client.}.
 *
 * <pre>{@code
 * ZocketClient client = ZocketClient.builder(uri)
 *     .observer(ZocketClientMetrics.create(meterRegistry))
 *     .connect();
 * }</pre>
 *
 * <h2>Meters</h2>
 *
 * <table>
 *   <caption>Meters, with their tags</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>Unit; what it counts</th></tr>
 *   <tr><td>{@code zocket.client.connections}</td><td>gauge</td><td></td>
 *       <td>connections open now</td></tr>
 *   <tr><td>{@code zocket.client.connections.opened}</td><td>counter</td><td>{@code
 *       reconnect}</td><td>connections opened ({@code reconnect}: {@code false} for a client's
 *       first, {@code true} for the others)</td></tr>
 *   <tr><td>{@code zocket.client.connections.closed}</td><td>counter</td><td>{@code code}</td>
 *       <td>open connections lost or closed, by close code, as {@code zocket.connections.closed}
 *       ({@code 1006}: lost without a close frame, the idle timeout's dead connections
 *       included)</td></tr>
 *   <tr><td>{@code zocket.client.connects.failed}</td><td>counter</td><td>{@code code}</td>
 *       <td>connect attempts that failed, by error code ({@code DISCONNECTED}, {@code TIMEOUT},
 *       {@code UNAUTHORIZED}, {@code FORBIDDEN}, {@code INVALID_PAYLOAD}, {@code
 *       HANDSHAKE_REJECTED})</td></tr>
 *   <tr><td>{@code zocket.client.reconnects}</td><td>counter</td><td></td>
 *       <td>reconnect attempts scheduled</td></tr>
 *   <tr><td>{@code zocket.client.recoveries}</td><td>counter</td><td>{@code outcome}</td>
 *       <td>reconnections that asked to resume their session: {@code resumed} or {@code
 *       fresh}</td></tr>
 *   <tr><td>{@code zocket.client.calls}</td><td>timer</td><td>{@code route}, {@code outcome}</td>
 *       <td>seconds from the proxy method's call to the call's end ({@code outcome}: {@code OK}
 *       or the error code: the server's, {@code TIMEOUT}, {@code DISCONNECTED}, {@code
 *       CANCELLED}, {@code INTERNAL})</td></tr>
 *   <tr><td>{@code zocket.client.messages.sent}</td><td>counter</td><td>{@code route}</td>
 *       <td>messages (sends without reply) handed to the connection or its buffer</td></tr>
 *   <tr><td>{@code zocket.client.events.received}</td><td>counter</td><td>{@code route},
 *       {@code outcome}</td><td>events with a listener received ({@code outcome}: {@code OK},
 *       or the code of a payload refused, such as {@code INVALID_PAYLOAD})</td></tr>
 * </table>
 *
 * <p>Tags are bounded: routes are the client's contract routes, outcomes and codes are error codes
 * (the server's application codes among them), close codes are grouped as for the server. The
 * meters without route tags are registered at zero when this is created, except those tagged by
 * {@code code}; the others when first used.
 *
 * <p>Threading: thread-safe, as an observer must be; one instance may serve several clients, whose
 * counts it then adds up. Create one per registry: a second one's gauge would not be registered.
 * Meters are looked up once per route and outcome, then cached.
 */
public final class ZocketClientMetrics implements ClientObserver {
  private final MeterRegistry registry;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter firstOpened;
  private final Counter reopened;
  private final Counter reconnects;
  private final Counter resumed;
  private final Counter fresh;
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Timer>> calls = new ConcurrentHashMap<>();
  private final Map<String, Counter> sent = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Counter>> events = new ConcurrentHashMap<>();

  private ZocketClientMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("zocket.client.connections", open, AtomicInteger::get)
        .description("Client connections open now")
        .register(registry);
    firstOpened = opened("false");
    reopened = opened("true");
    reconnects =
        Counter.builder("zocket.client.reconnects")
            .description("Reconnect attempts scheduled")
            .register(registry);
    resumed = recoveries("resumed");
    fresh = recoveries("fresh");
  }

  private Counter opened(String reconnect) {
    return Counter.builder("zocket.client.connections.opened")
        .description("Client connections opened")
        .tag("reconnect", reconnect)
        .register(registry);
  }

  private Counter recoveries(String outcome) {
    return Counter.builder("zocket.client.recoveries")
        .description("Reconnections that asked to resume their session, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * Metrics kept in {@code registry}; registers the meters without route or code tags at once.
   *
   * @param registry where the meters are registered
   * @return an observer to pass to {@code ZocketClient.Builder.observer}
   */
  public static ZocketClientMetrics create(MeterRegistry registry) {
    return new ZocketClientMetrics(Objects.requireNonNull(registry, "registry == null"));
  }

  /** Counts the connection and raises {@code zocket.client.connections}. On the I/O thread. */
  @Override
  public void onConnected(boolean reconnect) {
    (reconnect ? reopened : firstOpened).increment();
    open.incrementAndGet();
  }

  /** Counts the close by code and lowers {@code zocket.client.connections}. On the I/O thread. */
  @Override
  public void onDisconnected(int code, String reason) {
    closed
        .computeIfAbsent(
            ZocketMetrics.codeTag(code),
            c ->
                Counter.builder("zocket.client.connections.closed")
                    .description("Client connections lost or closed, by close code")
                    .tag("code", c)
                    .register(registry))
        .increment();
    open.decrementAndGet();
  }

  /** Counts the failed attempt by error code. On the I/O thread. */
  @Override
  public void onConnectFailed(ZocketException error) {
    failed
        .computeIfAbsent(
            error.code(),
            c ->
                Counter.builder("zocket.client.connects.failed")
                    .description("Connect attempts that failed, by error code")
                    .tag("code", c)
                    .register(registry))
        .increment();
  }

  /** Counts the attempt scheduled. On the I/O thread. */
  @Override
  public void onReconnectScheduled(int attempt, Duration delay) {
    reconnects.increment();
  }

  /** Counts the resumption's outcome. On the I/O thread. */
  @Override
  public void onRecovery(boolean wasResumed) {
    (wasResumed ? resumed : fresh).increment();
  }

  /** Records the call's time by route and outcome. On the thread that ended the call. */
  @Override
  public void onCallCompleted(String route, long nanos, String errorCode) {
    String outcome = errorCode == null ? "OK" : errorCode;
    Map<String, Timer> byOutcome = calls.computeIfAbsent(route, r -> new ConcurrentHashMap<>());
    Timer t = byOutcome.get(outcome);
    if (t == null) {
      t =
          byOutcome.computeIfAbsent(
              outcome,
              o ->
                  Timer.builder("zocket.client.calls")
                      .description("Time from a call to its end")
                      .tag("route", route)
                      .tag("outcome", o)
                      .register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts the message by route. On the calling thread. */
  @Override
  public void onMessageSent(String route) {
    Counter c = sent.get(route);
    if (c == null) {
      c =
          sent.computeIfAbsent(
              route,
              r ->
                  Counter.builder("zocket.client.messages.sent")
                      .description("Messages sent (without reply)")
                      .tag("route", r)
                      .register(registry));
    }
    c.increment();
  }

  /** Counts the event by route and outcome. On the I/O thread. */
  @Override
  public void onEventReceived(String route, String errorCode) {
    String outcome = errorCode == null ? "OK" : errorCode;
    events
        .computeIfAbsent(route, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            outcome,
            o ->
                Counter.builder("zocket.client.events.received")
                    .description("Events with a listener received")
                    .tag("route", route)
                    .tag("outcome", o)
                    .register(registry))
        .increment();
  }

  @Override
  public String toString() {
    return "ZocketClientMetrics(" + registry.getClass().getSimpleName() + ")";
  }
}
