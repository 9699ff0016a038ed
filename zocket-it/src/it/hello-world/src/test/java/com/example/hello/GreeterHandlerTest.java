package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zocket.ZocketException;
import dev.zocket.client.ZocketClient;
import dev.zocket.junit.ZocketExtension;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.EventRecorder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GreeterHandler in a real server, in process (no socket), called by real clients. */
@Timeout(30)
class GreeterHandlerTest {
  // An instance field: each test gets its own server, closed after it with its clients.
  @RegisterExtension
  final ZocketExtension zocket =
      ZocketExtension.inProcess(
          () -> ZocketServer.builder().handle(Greeter.class, GreeterHandler::new));

  @Test
  void aGreetingIsTheReplyAndAnEventToEveryClient() throws Exception {
    EventRecorder<GreeterEvents> bobsEvents = EventRecorder.of(GreeterEvents.class);
    EventRecorder<GreeterEvents> adasEvents = EventRecorder.of(GreeterEvents.class);
    ZocketClient bob = zocket.connect(c -> c.on(GreeterEvents.class, bobsEvents.listener()));
    // Bob's reply: the server has registered Bob's connection, so Bob gets Ada's event too.
    bob.proxy(Greeter.class).greet(new Greet("Bob")).get(10, TimeUnit.SECONDS);
    ZocketClient ada = zocket.connect(c -> c.on(GreeterEvents.class, adasEvents.listener()));
    Greeting reply = ada.proxy(Greeter.class).greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);

    assertThat(reply).isEqualTo(new Greeting("Hello, Ada!"));
    assertThat(adasEvents.next()).isEqualTo(new Greeting("Hello, Ada!"));
    assertThat(bobsEvents.next()).isEqualTo(new Greeting("Hello, Bob!"));
    assertThat(bobsEvents.next()).isEqualTo(new Greeting("Hello, Ada!"));
  }

  @Test
  void theServerRefusesABlankName() throws Exception {
    EventRecorder<GreeterEvents> events = EventRecorder.of(GreeterEvents.class);
    Greeter greeter =
        zocket
            .connect(
                c ->
                    c.validatePayloads(false) // so the blank name reaches the server
                        .on(GreeterEvents.class, events.listener()))
            .proxy(Greeter.class);
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
