package dev.zocket.spring.boot.autoconfigure.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.spring.boot.autoconfigure.sample.Greeter.Greet;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter.Greeting;
import dev.zocket.spring.boot.test.AutoConfigureZocketClient;
import dev.zocket.spring.boot.test.ZocketTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * docs/spring-boot.md's test of a handler bean, which includes the region below: the application
 * found by {@code @SpringBootTest} ({@link SampleApp}, in this package), its server in process.
 */
@Timeout(60)
// region test
@SpringBootTest(properties = "zocket.server.in-process=true")
@AutoConfigureZocketClient
class GreeterHandlerTest {
  @Autowired ZocketTestClient zocket;

  @Test
  void greets() {
    Greeting reply = zocket.proxy(Greeter.class).greet(new Greet("Ada")); // a blocking call
    assertThat(reply.text()).isEqualTo("Hello, Ada!");
  }
}
// endregion test
