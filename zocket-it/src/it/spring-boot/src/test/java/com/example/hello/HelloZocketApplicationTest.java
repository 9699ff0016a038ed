package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.test.AutoConfigureZocketClient;
import dev.zocket.spring.boot.test.LocalZocketPort;
import dev.zocket.spring.boot.test.ZocketTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The application as it runs: the web server (Actuator) on a random port, Zocket on another, a
 * typed client from the starter's test support.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "zocket.server.port=0")
@AutoConfigureZocketClient
@Timeout(60)
class HelloZocketApplicationTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Autowired ZocketTestClient zocket;
  @LocalServerPort int webPort;
  @LocalZocketPort int zocketPort;

  @Test
  void theHandlerBeanAnswersWithItsInjectedService() throws Exception {
    BlockingQueue<Greeting> events = new LinkedBlockingQueue<>();
    ZocketClient client = zocket.connect(b -> b.on(GreeterEvents.class, events::add));

    Greeting reply = client.proxy(Greeter.class).greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);

    // "Bonjour": GreetingService's salutation, from application.properties
    assertThat(reply).isEqualTo(new Greeting("Bonjour, Ada!", "Ada"));
    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(new Greeting("Bonjour, Ada!", "Ada"));
  }

  @Test
  void healthShowsZocketUp() throws Exception {
    String health = get("/actuator/health");

    assertThat(JsonPath.<String>read(health, "$.status")).isEqualTo("UP");
    assertThat(JsonPath.<String>read(health, "$.components.zocket.status")).isEqualTo("UP");
    assertThat(JsonPath.<Integer>read(health, "$.components.zocket.details.port"))
        .isEqualTo(zocketPort);
  }

  @Test
  void metricsListZocketsMetersAfterTraffic() throws Exception {
    zocket.proxy(Greeter.class).greet(new Greet("Bob")).get(10, TimeUnit.SECONDS);

    // A call is counted as handled once its handler has returned, which may be just after the
    // reply arrived here.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(JsonPath.<List<String>>read(get("/actuator/metrics"), "$.names"))
                    .contains(
                        "zocket.connections",
                        "zocket.connections.opened",
                        "zocket.messages.received",
                        "zocket.messages.handled",
                        "zocket.events.sent"));
    String handled =
        get("/actuator/metrics/zocket.messages.handled?tag=route:greeter.greet&tag=outcome:OK");
    assertThat(
            JsonPath.<List<Double>>read(handled, "$.measurements[?(@.statistic=='COUNT')].value"))
        .singleElement()
        .satisfies(count -> assertThat(count).isGreaterThanOrEqualTo(1.0));
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return response.body();
  }
}
