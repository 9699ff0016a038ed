package com.example.hello;

import dev.zocket.Context;
import java.util.concurrent.CompletableFuture;

/** One per connection. */
final class GreeterHandler implements Greeter {
  private final Context<?> ctx;

  GreeterHandler(Context<?> ctx) {
    this.ctx = ctx;
  }

  @Override
  public CompletableFuture<Greeting> greet(Greet request) {
    Greeting greeting = new Greeting("Hello, " + request.name() + "!");
    ctx.emit(GreeterEvents.class).broadcast().onGreeted(greeting); // an event to every client
    return CompletableFuture.completedFuture(greeting); // the call's reply
  }
}
