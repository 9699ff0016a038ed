package dev.zocket.micrometer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.ZocketException;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.micrometer.Chat.Calls;
import dev.zocket.micrometer.Chat.Events;
import dev.zocket.micrometer.Chat.Post;
import dev.zocket.micrometer.Chat.Posted;
import dev.zocket.micrometer.Chat.Room;
import dev.zocket.micrometer.Chat.Text;
import dev.zocket.micrometer.Chat.Unknown;
import dev.zocket.netty.ZocketServer;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.Target;
import dev.zocket.spi.ZocketObserver.HandshakeRejection;
import dev.zocket.test.Await;
import dev.zocket.test.EventRecorder;
import dev.zocket.test.LeakDetection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real server and real clients in process, with {@link ZocketMetrics} on a {@link
 * SimpleMeterRegistry}: a whole session, then the value of every meter the README documents.
 */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ZocketMetricsTest {
  /** A backplane that keeps what it is given, so the test can play the other nodes. */
  static final class RecordingBackplane implements Backplane {
    final List<byte[]> published = new CopyOnWriteArrayList<>();
    volatile Node node;

    @Override
    public String nodeId() {
      return "n1";
    }

    @Override
    public void start(Node node) {
      this.node = node;
    }

    @Override
    public void publish(Target target, byte[] frame) {
      published.add(frame);
    }

    @Override
    public void subscribe(String room) {}

    @Override
    public void unsubscribe(String room) {}

    @Override
    public void close() {}
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingBackplane backplane = new RecordingBackplane();

  private ZocketServer start() {
    return ZocketServer.builder()
        .authenticate(
            request -> {
              if (request.uri().contains("mallory")) {
                throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Who are you?");
              }
            })
        .handle(Calls.class, Chat.Handler::new)
        .backplane(backplane)
        .observer(ZocketMetrics.create(registry))
        .inProcess()
        .start();
  }

  private static ZocketClient.Builder client(ZocketServer server, String name) {
    return ZocketClient.builder(server.uri())
        .header("user", name)
        .validatePayloads(false) // so that the server sees an invalid payload
        .reconnect(ReconnectPolicy.disabled());
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  /** A counter's count; 0 while it is not registered (meters with routes appear on first use). */
  private double count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  /** A counter's count; fails when it is not registered. */
  private double registered(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  /** A timer's count; 0 while it is not registered. */
  private long timed(String name, String... tags) {
    Timer timer = registry.find(name).tags(tags).timer();
    return timer == null ? 0 : timer.count();
  }

  private DistributionSummary summary(String name, String... tags) {
    return registry.get(name).tags(tags).summary();
  }

  @Test
  void aSessionIsCountedInEveryMeter() {
    EventRecorder<Events> aliceEvents = EventRecorder.of(Events.class);
    EventRecorder<Events> bobEvents = EventRecorder.of(Events.class);
    try (ZocketServer server = start()) {
      ZocketClient alice =
          client(server, "alice").on(Events.class, aliceEvents.listener()).connect();
      ZocketClient bob = client(server, "bob").on(Events.class, bobEvents.listener()).connect();
      Await.until("two connections counted", () -> gauge("zocket.connections") == 2);
      assertThat(catchThrowable(() -> client(server, "mallory").connect()))
          .hasMessageContaining("401");

      Calls calls = alice.proxy(Calls.class);
      assertThat(calls.echo(new Text("hi"))).isEqualTo("hi");
      assertThat(calls.echo(new Text("again"))).isEqualTo("again");
      assertThatThrownBy(() -> calls.echo(new Text("")))
          .isInstanceOf(InvalidPayloadException.class);
      assertThatThrownBy(() -> calls.forbidden(new Text("x")))
          .isInstanceOfSatisfying(
              ZocketException.class, e -> assertThat(e.code()).isEqualTo("NOT_ALLOWED"));
      assertThat(calls.mdc()).isTrue();
      Unknown unknown = alice.proxy(Unknown.class);
      assertThatThrownBy(unknown::nope)
          .isInstanceOfSatisfying(
              ZocketException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.NOT_FOUND));
      unknown.nopeMessage();

      bob.proxy(Calls.class).join(new Room("general"));
      calls.join(new Room("general"));
      Await.until(
          "both joined",
          () ->
              count("zocket.messages.received", "route", "chat.join", "kind", "message") == 2
                  && timed(
                          "zocket.messages.handled",
                          "route",
                          "chat.join",
                          "kind",
                          "message",
                          "outcome",
                          "OK")
                      == 2);
      calls.post(new Post("general", "hello"));
      assertThat(aliceEvents.next(Posted.class)).isEqualTo(new Posted("general", "hello"));
      assertThat(bobEvents.next(Posted.class)).isEqualTo(new Posted("general", "hello"));
      // Published once the local recipients were written to: they may read it first.
      Await.until("the post published to the backplane", () -> backplane.published.size() == 1);
      byte[] published = backplane.published.get(0);

      // Another node's event, its outage and its recovery, as the backplane reports them.
      byte[] fromN2 =
          "{\"type\":\"chat.onPosted\",\"payload\":{\"room\":\"general\",\"text\":\"from n2\"}}"
              .getBytes(UTF_8);
      backplane.node.deliver(new Target(Target.Kind.ROOMS, List.of("general"), List.of()), fromN2);
      assertThat(aliceEvents.next(Posted.class).text()).isEqualTo("from n2");
      assertThat(bobEvents.next(Posted.class).text()).isEqualTo("from n2");
      backplane.node.reportOutage();
      assertThat(gauge("zocket.backplane.up")).isZero();
      backplane.node.reportRecovery();
      backplane.node.reportLost("n2", 3);

      bob.close();
      Await.until("bob's close counted", () -> gauge("zocket.connections") == 1);
      alice.close();
      Await.until("alice's close counted", () -> gauge("zocket.connections") == 0);
      Await.until(
          "the post handled",
          () ->
              timed(
                      "zocket.messages.handled",
                      "route",
                      "chat.post",
                      "kind",
                      "message",
                      "outcome",
                      "OK")
                  == 1);

      // Connections.
      assertThat(gauge("zocket.connections")).isZero();
      assertThat(registered("zocket.connections.opened")).isEqualTo(2);
      assertThat(count("zocket.connections.closed", "code", "1000")).isEqualTo(2);
      assertThat(registry.get("zocket.connections.closed").counters()).hasSize(1);
      for (HandshakeRejection r : HandshakeRejection.values()) {
        assertThat(registered("zocket.handshakes.rejected", "reason", r.name()))
            .as(r.name())
            .isEqualTo(r == HandshakeRejection.UNAUTHORIZED ? 1 : 0);
      }

      // Messages: received, queued and handled, by route, kind and outcome.
      String[][] received = {
        {"chat.echo", "call", "3"},
        {"chat.forbidden", "call", "1"},
        {"chat.mdc", "call", "1"},
        {"<unknown>", "call", "1"},
        {"chat.join", "message", "2"},
        {"chat.post", "message", "1"},
      };
      for (String[] r : received) {
        assertThat(count("zocket.messages.received", "route", r[0], "kind", r[1]))
            .as(r[0])
            .isEqualTo(Double.parseDouble(r[2]));
        assertThat(timed("zocket.messages.queue.wait", "route", r[0], "kind", r[1]))
            .as(r[0])
            .isEqualTo(Long.parseLong(r[2]));
      }
      assertThat(sum(registry.get("zocket.messages.received").counters())).isEqualTo(9);
      assertThat(timerCount(registry.get("zocket.messages.queue.wait").timers())).isEqualTo(9);
      String[][] handled = {
        {"chat.echo", "call", "OK", "2"},
        {"chat.echo", "call", "INVALID_PAYLOAD", "1"},
        {"chat.forbidden", "call", "NOT_ALLOWED", "1"},
        {"chat.mdc", "call", "OK", "1"},
        {"<unknown>", "call", "NOT_FOUND", "1"},
        {"chat.join", "message", "OK", "2"},
        {"chat.post", "message", "OK", "1"},
      };
      for (String[] h : handled) {
        assertThat(timed("zocket.messages.handled", "route", h[0], "kind", h[1], "outcome", h[2]))
            .as(h[0] + " " + h[2])
            .isEqualTo(Long.parseLong(h[3]));
      }
      assertThat(timerCount(registry.get("zocket.messages.handled").timers())).isEqualTo(9);
      for (DropReason r : DropReason.values()) {
        assertThat(registered("zocket.messages.dropped", "reason", r.name()))
            .as(r.name())
            .isEqualTo(r == DropReason.UNKNOWN_ROUTE ? 1 : 0);
      }

      // Events: one post to a room of two, written once as a frame of the text and a 2-byte
      // header.
      assertThat(count("zocket.events.sent", "route", "chat.onPosted")).isEqualTo(1);
      DistributionSummary recipients =
          summary("zocket.events.recipients", "route", "chat.onPosted");
      assertThat(recipients.count()).isEqualTo(1);
      assertThat(recipients.totalAmount()).isEqualTo(2);
      DistributionSummary bytes = summary("zocket.events.bytes", "route", "chat.onPosted");
      assertThat(bytes.count()).isEqualTo(1);
      assertThat(bytes.totalAmount()).isEqualTo(published.length + 2);
      assertThat(registered("zocket.slow.consumers", "action", "closed")).isZero();
      assertThat(registered("zocket.slow.consumers", "action", "dropped")).isZero();

      // The backplane.
      assertThat(count("zocket.backplane.published")).isEqualTo(1);
      assertThat(count("zocket.backplane.received")).isEqualTo(1);
      assertThat(count("zocket.backplane.outages")).isEqualTo(1);
      assertThat(count("zocket.backplane.lost")).isEqualTo(3);
      assertThat(gauge("zocket.backplane.up")).isEqualTo(1);

      // Client ids are never tags.
      for (Meter meter : registry.getMeters()) {
        assertThat(meter.getId().getTags())
            .allSatisfy(tag -> assertThat(tag.getValue()).doesNotStartWith("n1."));
      }
    }
  }

  private static double sum(Collection<Counter> counters) {
    return counters.stream().mapToDouble(c -> c.count()).sum();
  }

  private static long timerCount(Collection<Timer> timers) {
    return timers.stream().mapToLong(Timer::count).sum();
  }

  @Test
  void theMetersWithoutRouteAreThereAtZeroBeforeAnyTraffic() {
    ZocketMetrics.create(registry);
    for (String name :
        List.of(
            "zocket.connections.opened",
            "zocket.backplane.published",
            "zocket.backplane.received",
            "zocket.backplane.outages",
            "zocket.backplane.lost")) {
      assertThat(registry.get(name).counter().count()).as(name).isZero();
    }
    assertThat(registry.get("zocket.handshakes.rejected").counters())
        .hasSize(HandshakeRejection.values().length);
    assertThat(registry.get("zocket.messages.dropped").counters())
        .hasSize(DropReason.values().length);
    assertThat(registry.get("zocket.slow.consumers").counters()).hasSize(2);
    assertThat(gauge("zocket.connections")).isZero();
    assertThat(count("zocket.connections.opened")).isZero();
    assertThat(count("zocket.handshakes.rejected", "reason", "SERVER_FULL")).isZero();
    assertThat(count("zocket.messages.dropped", "reason", "MALFORMED")).isZero();
    assertThat(count("zocket.slow.consumers", "action", "closed")).isZero();
    assertThat(count("zocket.backplane.published")).isZero();
    assertThat(count("zocket.backplane.received")).isZero();
    assertThat(count("zocket.backplane.outages")).isZero();
    assertThat(gauge("zocket.backplane.up")).isEqualTo(1);
    assertThat(registry.find("zocket.messages.received").meters()).isEmpty();
  }

  @Test
  void theRecoveryStoreCountsTheEventsItDropsByTheBoundReached() {
    // At most 3 events and 1,000 bytes: a small event is counted as about 300 bytes (its 58
    // characters and 246 of overhead), a large one as about 450.
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(Calls.class, Chat.Handler::new)
            .recovery(Duration.ofMinutes(1), 3)
            .maxRecoveryMemory(1_000)
            .observer(ZocketMetrics.create(registry))
            .inProcess()
            .start()) {
      assertThat(registry.get("zocket.recovery.evicted").counters()).hasSize(2);
      for (int i = 0; i < 4; i++) {
        server.emit(Events.class).toRoom("r").onPosted(new Posted("r", "y"));
      }
      // The fourth pushed the first out by count; three small ones fit in the bytes.
      assertThat(count("zocket.recovery.evicted", "bound", "max_events")).isEqualTo(1);
      assertThat(count("zocket.recovery.evicted", "bound", "max_bytes")).isZero();

      server.emit(Events.class).toRoom("r").onPosted(new Posted("r", "x".repeat(150)));
      // The large one pushed one out by count, then one more by bytes.
      assertThat(count("zocket.recovery.evicted", "bound", "max_events")).isEqualTo(2);
      assertThat(count("zocket.recovery.evicted", "bound", "max_bytes")).isEqualTo(1);
    }
  }

  @Test
  void closeCodesAreTaggedWithinABoundedSet() {
    assertThat(ZocketMetrics.codeTag(1000)).isEqualTo("1000");
    assertThat(ZocketMetrics.codeTag(1013)).isEqualTo("1013");
    assertThat(ZocketMetrics.codeTag(3001)).isEqualTo("3xxx");
    assertThat(ZocketMetrics.codeTag(4999)).isEqualTo("4xxx");
    assertThat(ZocketMetrics.codeTag(999)).isEqualTo("other");
  }
}
