package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.sample.Disconnects;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import dev.zocket.spring.boot.autoconfigure.sample.SampleApp;
import dev.zocket.test.Await;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/** Closing the application context shuts the server down gracefully. */
@Timeout(60)
class ShutdownTest {

  @Test
  void contextCloseFinishesTheCallInFlightThenSends1001() throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(SampleApp.class)
            .properties(
                "zocket.server.host=127.0.0.1",
                "zocket.server.port=0",
                "zocket.server.shutdown.grace-period=10s")
            .run();
    BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
    ZocketClient client;
    CompletableFuture<Greeter.Greeting> inFlight;
    try {
      ZocketServerLifecycle lifecycle = context.getBean(ZocketServerLifecycle.class);
      client =
          ZocketClient.builder(lifecycle.server().uri())
              .onClose((code, reason) -> closeCodes.add(code))
              .connect();
      Greeter greeter = client.proxy(Greeter.class);
      inFlight = CompletableFuture.supplyAsync(() -> greeter.slow(new Greeter.Slow(1000)));
      Await.next("the slow call to start", context.getBean(Disconnects.class).slowStarted);
    } finally {
      context.close();
    }

    assertThat(inFlight.get(10, TimeUnit.SECONDS).text()).isEqualTo("slept 1000");
    assertThat(Await.next("the close code", closeCodes)).isEqualTo(1001);
    client.close();
  }

  @Test
  void thePhaseIsBootsGracefulShutdownPhase() {
    assertThat(ZocketServerLifecycle.PHASE)
        .isEqualTo(
            org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle
                .SMART_LIFECYCLE_PHASE)
        .isLessThan(SmartLifecycle.DEFAULT_PHASE);
  }
}
