package dev.zocket.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.Context;
import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real server and real clients with {@link ZocketClientMetrics} on a {@link SimpleMeterRegistry}:
 * calls, messages, an event, a drop and a reconnect, a refused connect; then the meters' values.
 */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ZocketClientMetricsTest {
  public record Text(String text) {}

  @Namespace("metered")
  public interface Api {
    String echo(Text text);

    String refuse();

    void note(Text text);

    void leave();
  }

  @Namespace("metered")
  public interface Events {
    default void onNote(Text text) {}
  }

  static final class Handler implements Api {
    private final Context<String> ctx;

    Handler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public String echo(Text text) {
      return text.text();
    }

    @Override
    public String refuse() {
      throw new ZocketException("NOT_ALLOWED", "Not allowed");
    }

    @Override
    public void note(Text text) {
      ctx.emit(Events.class).to(ctx.clientId()).onNote(text);
    }

    @Override
    public void leave() {
      ctx.close();
    }
  }

  @Test
  void countsConnectionsReconnectsRecoveriesCallsMessagesEventsAndFailedConnects() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ZocketClientMetrics metrics = ZocketClientMetrics.create(registry);
    try (ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .authenticate(
                request -> {
                  if (request.uri().contains("token=bad")) {
                    throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Bad token");
                  }
                })
            .onConnect((headers, clientId) -> clientId)
            .handle(Api.class, Handler::new)
            .recovery(Duration.ofSeconds(30), 100)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start()) {
      URI uri = URI.create("ws://127.0.0.1:" + server.port());
      BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
      BlockingQueue<String> notes = new LinkedBlockingQueue<>();
      assertThat(registry.get("zocket.client.connections").gauge().value()).isZero();
      try (ZocketClient client =
          ZocketClient.builder(uri)
              .observer(metrics)
              .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(20)))
              .onOpen(c -> opens.add(true))
              .on(
                  Events.class,
                  new Events() {
                    @Override
                    public void onNote(Text text) {
                      notes.add(text.text());
                    }
                  })
              .connect()) {
        Await.next("the first open", opens);
        Api api = client.proxy(Api.class);
        assertThat(api.echo(new Text("a"))).isEqualTo("a");
        assertThat(api.echo(new Text("b"))).isEqualTo("b");
        assertThatThrownBy(api::refuse).isInstanceOf(ZocketException.class);
        api.note(new Text("n"));
        assertThat(Await.next("the note", notes)).isEqualTo("n");
        // Closed by the server with 1000: the session ends, the reconnect asks for it in vain.
        api.leave();
        Await.next("the reopening", opens);

        Await.until(
            "the calls recorded",
            () ->
                calls(registry, "metered.echo", "OK").count() == 2
                    && calls(registry, "metered.refuse", "NOT_ALLOWED").count() == 1);
        assertThat(
                calls(registry, "metered.echo", "OK")
                    .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
            .isPositive();
        assertThat(registry.get("zocket.client.connections").gauge().value()).isEqualTo(1);
        assertThat(counter(registry, "zocket.client.connections.opened", "reconnect", "false"))
            .isEqualTo(1);
        assertThat(counter(registry, "zocket.client.connections.opened", "reconnect", "true"))
            .isEqualTo(1);
        assertThat(counter(registry, "zocket.client.connections.closed", "code", "1000"))
            .isEqualTo(1);
        assertThat(registry.get("zocket.client.reconnects").counter().count()).isEqualTo(1);
        assertThat(counter(registry, "zocket.client.recoveries", "outcome", "fresh")).isEqualTo(1);
        assertThat(counter(registry, "zocket.client.recoveries", "outcome", "resumed")).isZero();
        assertThat(counter(registry, "zocket.client.messages.sent", "route", "metered.note"))
            .isEqualTo(1);
        assertThat(counter(registry, "zocket.client.messages.sent", "route", "metered.leave"))
            .isEqualTo(1);
        assertThat(
                registry
                    .get("zocket.client.events.received")
                    .tag("route", "metered.onNote")
                    .tag("outcome", "OK")
                    .counter()
                    .count())
            .isEqualTo(1);

        assertThatThrownBy(
                () -> ZocketClient.builder(uri).header("token", "bad").observer(metrics).connect())
            .isInstanceOf(ZocketException.class);
        assertThat(counter(registry, "zocket.client.connects.failed", "code", "UNAUTHORIZED"))
            .isEqualTo(1);
      }
      assertThat(counter(registry, "zocket.client.connections.closed", "code", "1000"))
          .isEqualTo(2);
      assertThat(registry.get("zocket.client.connections").gauge().value()).isZero();
    }
  }

  private static Timer calls(SimpleMeterRegistry registry, String route, String outcome) {
    Timer t =
        registry.find("zocket.client.calls").tag("route", route).tag("outcome", outcome).timer();
    return t != null ? t : registry.timer("absent-" + route + "-" + outcome);
  }

  private static double counter(
      SimpleMeterRegistry registry, String name, String tag, String value) {
    Counter c = registry.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }
}
