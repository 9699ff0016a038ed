package dev.zocket.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.InvalidPayloadException;
import dev.zocket.ZocketException;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.micrometer.Chat.Calls;
import dev.zocket.micrometer.Chat.Room;
import dev.zocket.micrometer.Chat.Text;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ZocketObservation} on a real server with a real client: one stopped observation per
 * message that reached its handler, with its route, kind and outcome, and the handler in its scope.
 */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ZocketObservationTest {
  private final TestObservationRegistry registry = TestObservationRegistry.create();

  /** The observations stopped, in order. */
  private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

  @BeforeEach
  void recordStops() {
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler<>() {
              @Override
              public void onStop(Observation.Context context) {
                stopped.add(context);
              }

              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }
            });
  }

  @Test
  void everyHandledMessageIsObservedWithItsRouteKindAndOutcome() {
    List<String> inScope = new CopyOnWriteArrayList<>();
    try (ZocketServer server =
            ZocketServer.builder()
                .handle(Calls.class, Chat.Handler::new)
                .around(ZocketObservation.create(registry))
                .around(
                    invocation -> {
                      Observation current = registry.getCurrentObservation();
                      inScope.add(
                          current == null ? "none" : current.getContext().getContextualName());
                      return invocation.proceed();
                    })
                .inProcess()
                .start();
        ZocketClient client =
            ZocketClient.builder(server.uri())
                .validatePayloads(false)
                .reconnect(ReconnectPolicy.disabled())
                .connect()) {
      Calls calls = client.proxy(Calls.class);
      assertThat(calls.echo(new Text("hi"))).isEqualTo("hi");
      assertThatThrownBy(() -> calls.forbidden(new Text("x"))).isInstanceOf(ZocketException.class);
      assertThatThrownBy(() -> calls.echo(new Text("")))
          .isInstanceOf(InvalidPayloadException.class);
      calls.join(new Room("general"));

      Await.until("three observations stopped", () -> stopped.size() == 3);
      TestObservationRegistryAssert.assertThat(registry)
          .hasNumberOfObservationsWithNameEqualTo(ZocketObservation.NAME, 3);
      assertThat(stopped)
          .extracting(ZocketObservationTest::describe)
          .containsExactly(
              "zocket.message chat.echo route=chat.echo kind=call outcome=OK error=none",
              "zocket.message chat.forbidden route=chat.forbidden kind=call"
                  + " outcome=NOT_ALLOWED error=ZocketException",
              "zocket.message chat.join route=chat.join kind=message outcome=OK" + " error=none");
      assertThat(inScope).containsExactly("chat.echo", "chat.forbidden", "chat.join");
    }
  }

  private static String describe(Observation.Context c) {
    return c.getName()
        + " "
        + c.getContextualName()
        + " route="
        + c.getLowCardinalityKeyValue("zocket.route").getValue()
        + " kind="
        + c.getLowCardinalityKeyValue("zocket.kind").getValue()
        + " outcome="
        + c.getLowCardinalityKeyValue("zocket.outcome").getValue()
        + " error="
        + (c.getError() == null ? "none" : c.getError().getClass().getSimpleName());
  }
}
