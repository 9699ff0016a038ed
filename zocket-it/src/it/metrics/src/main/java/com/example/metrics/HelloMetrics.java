package com.example.metrics;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.client.ZocketClient;
import dev.zocket.micrometer.ZocketMetrics;
import dev.zocket.netty.ZocketServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The hello-world's server with Zocket's meters in a Micrometer registry, read after one call and
 * one event. The contract is the hello-world's, nested here to keep this project to one file.
 */
public final class HelloMetrics {
  /** The call's payload. */
  public record Greet(String name) {}

  /** The reply and the event. */
  public record Greeting(String text) {}

  /** Client to server. */
  @Namespace("greeter")
  public interface Greeter {
    CompletableFuture<Greeting> greet(Greet request);
  }

  /** Server to client. */
  @Namespace("greeter")
  public interface GreeterEvents {
    void onGreeted(Greeting greeting);
  }

  /** One per connection: replies and sends the greeting to every client. */
  static final class GreeterHandler implements Greeter {
    private final Context<?> ctx;

    GreeterHandler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public CompletableFuture<Greeting> greet(Greet request) {
      Greeting greeting = new Greeting("Hello, " + request.name() + "!");
      ctx.emit(GreeterEvents.class).broadcast().onGreeted(greeting);
      return CompletableFuture.completedFuture(greeting);
    }
  }

  public static void main(String[] args) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(Greeter.class, GreeterHandler::new)
            .observer(ZocketMetrics.create(registry))
            .host("127.0.0.1")
            .port(0)
            .start()) {
      CountDownLatch event = new CountDownLatch(1);
      try (ZocketClient client =
          ZocketClient.builder(server.uri())
              .on(GreeterEvents.class, greeting -> event.countDown())
              .connect()) {
        client.proxy(Greeter.class).greet(new Greet("Ada")).get(10, TimeUnit.SECONDS);
        if (!event.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("timed out waiting for greeter.onGreeted");
        }
      }
      // Meters are recorded on the server's threads, which may finish after the client has read
      // the reply: wait for them, up to 10 seconds.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      String seen = read(registry);
      while (!seen.equals("handled=1 sent=1 opened=1") && System.nanoTime() < deadline) {
        Thread.sleep(10);
        seen = read(registry);
      }
      System.out.println("metrics: " + seen);
    }
  }

  private static String read(MeterRegistry registry) {
    long handled =
        registry.find("zocket.messages.handled").tag("route", "greeter.greet").timers().stream()
            .mapToLong(t -> t.count())
            .sum();
    double sent =
        registry.find("zocket.events.sent").tag("route", "greeter.onGreeted").counters().stream()
            .mapToDouble(c -> c.count())
            .sum();
    double opened = registry.get("zocket.connections.opened").counter().count();
    return "handled=" + handled + " sent=" + (long) sent + " opened=" + (long) opened;
  }
}
