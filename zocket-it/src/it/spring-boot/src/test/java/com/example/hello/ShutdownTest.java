package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Closing the application context closes the clients' connections with 1001 (going away). */
@Timeout(60)
class ShutdownTest {

  @Test
  void closingTheContextSends1001() throws Exception {
    ConfigurableApplicationContext context =
        SpringApplication.run(
            HelloZocketApplication.class, "--server.port=0", "--zocket.server.port=0");
    BlockingQueue<Integer> closeCodes = new LinkedBlockingQueue<>();
    ZocketClient client = null;
    try {
      String uri = context.getEnvironment().getRequiredProperty("local.zocket.uri");
      client =
          ZocketClient.builder(URI.create(uri))
              .onClose((code, reason) -> closeCodes.add(code))
              .connect();
      // Answered: the server has the connection.
      client.proxy(Greeter.class).greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);

      context.close();

      assertThat(closeCodes.poll(20, TimeUnit.SECONDS)).isEqualTo(1001);
    } finally {
      context.close();
      if (client != null) {
        client.close();
      }
    }
  }
}
