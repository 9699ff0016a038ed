package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zocket.ZocketException;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.EventRecorder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GreeterHandler in a real server, in process (no socket), called by a real client. */
@Timeout(30)
class GreeterHandlerTest {
  private static ZocketServer startServer() {
    return ZocketServer.builder().handle(Greeter.class, GreeterHandler::new).inProcess().start();
  }

  @Test
  void aGreetingIsTheReplyAndAnEventToEveryClient() throws Exception {
    EventRecorder<GreeterEvents> bobsEvents = EventRecorder.of(GreeterEvents.class);
    EventRecorder<GreeterEvents> adasEvents = EventRecorder.of(GreeterEvents.class);
    try (ZocketServer server = startServer();
        ZocketClient bob =
            ZocketClient.builder(server.uri())
                .on(GreeterEvents.class, bobsEvents.listener())
                .connect()) {
      // Bob's reply: the server has registered Bob's connection, so Bob gets Ada's event too.
      bob.proxy(Greeter.class).greet(new Greet("Bob")).get(10, TimeUnit.SECONDS);
      try (ZocketClient ada =
          ZocketClient.builder(server.uri())
              .on(GreeterEvents.class, adasEvents.listener())
              .connect()) {
        Greeting reply = ada.proxy(Greeter.class).greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);

        assertThat(reply).isEqualTo(new Greeting("Hello, Ada!"));
        assertThat(adasEvents.next()).isEqualTo(new Greeting("Hello, Ada!"));
        assertThat(bobsEvents.next()).isEqualTo(new Greeting("Hello, Bob!"));
        assertThat(bobsEvents.next()).isEqualTo(new Greeting("Hello, Ada!"));
      }
    }
  }

  @Test
  void theServerRefusesABlankName() throws Exception {
    EventRecorder<GreeterEvents> events = EventRecorder.of(GreeterEvents.class);
    try (ZocketServer server = startServer();
        ZocketClient client =
            ZocketClient.builder(server.uri())
                .validatePayloads(false) // so the blank name reaches the server
                .on(GreeterEvents.class, events.listener())
                .connect()) {
      Greeter greeter = client.proxy(Greeter.class);
      ExecutionException refused =
          catchThrowableOfType(
              ExecutionException.class,
              () -> greeter.greet(new Greet(" ")).get(10, TimeUnit.SECONDS));

      assertThat(refused.getCause())
          .isInstanceOfSatisfying(
              ZocketException.class, e -> assertThat(e.code()).isEqualTo("INVALID_PAYLOAD"));
      // The handler did not run: the next event is the next good call's.
      greeter.greet(new Greet("Bob")).get(10, TimeUnit.SECONDS);
      assertThat(events.next()).isEqualTo(new Greeting("Hello, Bob!"));
    }
  }
}
