package dev.zocket.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ClientInterceptor;
import dev.zocket.client.ZocketClient;
import dev.zocket.micrometer.Chat.Calls;
import dev.zocket.micrometer.Chat.Handler;
import dev.zocket.micrometer.Chat.Text;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The examples of docs/observability.md and docs/java-client.md, which include the regions below: a
 * server with meters and tracing, an around interceptor that times handlers, a client with meters
 * and an interceptor; each runs against a real server on 127.0.0.1 and its outcome is checked.
 */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ObservabilityExamplesTest {
  private static final Logger log = LoggerFactory.getLogger(ObservabilityExamplesTest.class);

  private final SimpleMeterRegistry meterRegistry = new SimpleMeterRegistry();
  private final TestObservationRegistry observationRegistry = TestObservationRegistry.create();

  @Test
  void aServerWithMetersAndTracing() {
    // region server
    ZocketServer server =
        ZocketServer.builder()
            .observer(ZocketMetrics.create(meterRegistry)) // zocket-micrometer: meters
            .around(ZocketObservation.create(observationRegistry)) // zocket-micrometer: tracing
            .handle(Calls.class, Handler::new)
            .host("127.0.0.1")
            .port(0)
            .start();
    // endregion server

    try (server;
        ZocketClient client = ZocketClient.builder(server.uri()).connect()) {
      assertThat(client.proxy(Calls.class).echo(new Text("hi"))).isEqualTo("hi");

      Await.until(
          "the call counted", () -> meterRegistry.find("zocket.messages.handled").timer() != null);
      assertThat(
              meterRegistry
                  .get("zocket.messages.handled")
                  .tag("route", "chat.echo")
                  .timer()
                  .count())
          .isEqualTo(1);
      TestObservationRegistryAssert.assertThat(observationRegistry)
          .hasNumberOfObservationsWithNameEqualTo(ZocketObservation.NAME, 1);
    }
  }

  @Test
  void anAroundInterceptorThatTimesHandlers() {
    List<String> timed = new CopyOnWriteArrayList<>();
    ZocketServer.Builder<?, ?> builder =
        ZocketServer.builder().handle(Calls.class, Handler::new).host("127.0.0.1").port(0);
    // region timing
    builder.around(
        invocation -> {
          long start = System.nanoTime();
          try {
            return invocation.proceed();
          } finally {
            log.info("{} took {} µs", invocation.route(), (System.nanoTime() - start) / 1000);
          }
        });
    // endregion timing
    builder.around(
        invocation -> {
          timed.add(invocation.route());
          return invocation.proceed();
        });

    try (ZocketServer server = builder.start();
        ZocketClient client = ZocketClient.builder(server.uri()).connect()) {
      assertThat(client.proxy(Calls.class).echo(new Text("hi"))).isEqualTo("hi");
      assertThat(timed).containsExactly("chat.echo");
    }
  }

  @Test
  void aClientWithMetersAndAnInterceptor() {
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(Calls.class, Handler::new)
            .host("127.0.0.1")
            .port(0)
            .start()) {
      URI uri = server.uri();
      // region client
      ZocketClient client =
          ZocketClient.builder(uri)
              .observer(ZocketClientMetrics.create(meterRegistry))
              .around(
                  invocation -> {
                    if (invocation.kind() == ClientInterceptor.Kind.CALL) {
                      log.debug("calling {}", invocation.route());
                    }
                    return invocation.proceed();
                  })
              .connect();
      // endregion client

      try (client) {
        assertThat(client.proxy(Calls.class).echo(new Text("hi"))).isEqualTo("hi");
        Await.until(
            "the call recorded",
            () ->
                meterRegistry.find("zocket.client.calls").timer() != null
                    && meterRegistry.find("zocket.client.calls").timer().count() == 1);
      }
    }
  }
}
