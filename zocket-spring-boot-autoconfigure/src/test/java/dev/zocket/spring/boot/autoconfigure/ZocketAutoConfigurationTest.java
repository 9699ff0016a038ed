package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.sample.Disconnects;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import dev.zocket.spring.boot.autoconfigure.sample.RoomEvents;
import dev.zocket.spring.boot.autoconfigure.sample.Rooms;
import dev.zocket.spring.boot.autoconfigure.sample.SampleApp;
import dev.zocket.spring.boot.test.AutoConfigureZocketClient;
import dev.zocket.spring.boot.test.LocalZocketPort;
import dev.zocket.spring.boot.test.ZocketTestClient;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RawClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;

/** A Boot application on the auto-configuration, a real server on a free port, real clients. */
@SpringBootTest(
    classes = SampleApp.class,
    properties = {
      "zocket.server.host=127.0.0.1",
      "zocket.server.port=0",
      "zocket.server.max-frame-size=1KB",
      "management.endpoint.health.show-details=always"
    })
@AutoConfigureZocketClient
@Timeout(60)
class ZocketAutoConfigurationTest {
  @Autowired ZocketTestClient zocket;
  @Autowired ZocketServerLifecycle lifecycle;
  @Autowired HealthEndpoint health;
  @Autowired MeterRegistry meters;
  @Autowired Disconnects disconnects;
  @LocalZocketPort int port;

  @Test
  void aHandlerBeanWithAnInjectedServiceAnswersATypedCall() {
    Greeter.Greeting reply = zocket.proxy(Greeter.class).greet(new Greeter.Greet("Ada"));

    assertThat(reply.text()).isEqualTo("Hello, Ada!");
    assertThat(reply.clientId()).isNotBlank();
  }

  @Test
  void theInjectedContextIsTheConnectionsAndTheBeanEndsWithIt() {
    BlockingQueue<RoomEvents.Said> said = new LinkedBlockingQueue<>();
    ZocketClient alice = zocket.connect(b -> b.on(RoomEvents.class, said::add));
    ZocketClient bob = zocket.connect(b -> b);

    assertThat(alice.proxy(Rooms.class).join(new Rooms.Join("lobby"))).containsExactly("lobby");
    String bobId = bob.proxy(Greeter.class).greet(new Greeter.Greet("Bob")).clientId();
    bob.proxy(Rooms.class).say(new Rooms.Say("lobby", "hi"));

    RoomEvents.Said event = Await.next("rooms.onSaid", said);
    assertThat(event).isEqualTo(new RoomEvents.Said("lobby", "hi", bobId));

    String aliceId = alice.proxy(Greeter.class).greet(new Greeter.Greet("Alice")).clientId();
    alice.close();
    // @PreDestroy ran at the disconnect, with the rooms the connection was in.
    Await.until(
        "the @PreDestroy of " + aliceId + "'s bean",
        () -> disconnects.ended.contains(aliceId + " [lobby]"));
  }

  @Test
  void healthIsUpWithThePortAndTheConnections() {
    zocket.proxy(Greeter.class).greet(new Greeter.Greet("Ada"));

    IndicatedHealthDescriptor zocketHealth =
        (IndicatedHealthDescriptor) health.healthForPath("zocket");
    assertThat(zocketHealth.getStatus()).isEqualTo(Status.UP);
    assertThat(zocketHealth.getDetails()).containsEntry("port", port);
    assertThat((Integer) zocketHealth.getDetails().get("connections")).isPositive();
    assertThat(port).isEqualTo(lifecycle.server().port()).isPositive();
  }

  @Test
  void zocketsMetersAreInBootsRegistryAfterTraffic() {
    zocket.proxy(Greeter.class).greet(new Greeter.Greet("Ada"));

    Await.until(
        "zocket.messages.handled for greeter.greet",
        () ->
            meters.find("zocket.messages.handled").tag("route", "greeter.greet").timer() != null
                && meters
                        .find("zocket.messages.handled")
                        .tag("route", "greeter.greet")
                        .timer()
                        .count()
                    > 0);
    assertThat(meters.find("zocket.connections.opened").counter()).isNotNull();
  }

  @Test
  void propertiesApply_aMessageLargerThanMaxFrameSizeClosesWith1009() throws Exception {
    try (RawClient raw = RawClient.connect(port, "/")) {
      raw.sendText(
          "{\"type\":\"greeter.greet\",\"payload\":{\"name\":\"" + "x".repeat(2000) + "\"}}");
      RawClient.Frame frame = raw.readSkippingPings();
      assertThat(frame.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(frame.closeStatus()).isEqualTo(1009);
    }
    // A message within the limit is still answered on a new connection.
    assertThat(zocket.proxy(Greeter.class).greet(new Greeter.Greet("Ada")).text())
        .isEqualTo("Hello, Ada!");
  }

  @Test
  void anInvalidPayloadIsRefusedByBootsValidator() throws Exception {
    try (RawClient raw = RawClient.connect(port, "/")) {
      raw.sendText("{\"type\":\"greeter.greet\",\"rpcId\":\"1\",\"payload\":{\"name\":\" \"}}");
      String reply = raw.readSkippingPings().text();
      assertThat(reply).contains("INVALID_PAYLOAD").contains("name");
    }
  }
}
