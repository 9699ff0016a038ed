package com.example.hello;

import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public final class HelloWorld {
  public static void main(String[] args) throws Exception {
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(Greeter.class, GreeterHandler::new)
            .host("127.0.0.1")
            .port(0) // any free port; server.port() tells which
            .start()) {
      BlockingQueue<Greeting> events = new LinkedBlockingQueue<>();
      try (ZocketClient client =
          ZocketClient.builder(server.uri()) // ws://127.0.0.1:<port>/
              .on(GreeterEvents.class, events::add) // events arrive on a client thread
              .connect()) {
        Greeter greeter = client.proxy(Greeter.class);
        Greeting reply = greeter.greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);
        Greeting event = events.poll(10, TimeUnit.SECONDS);
        System.out.println("reply: " + reply.text()); // reply: Hello, Ada!
        if (event == null) {
          throw new IllegalStateException("timed out waiting for greeter.onGreeted");
        }
        System.out.println("event: " + event.text()); // event: Hello, Ada!
      }
    }
  }
}
