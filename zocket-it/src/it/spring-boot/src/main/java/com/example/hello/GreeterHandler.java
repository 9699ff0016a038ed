package com.example.hello;

import dev.zocket.Context;
import dev.zocket.spring.boot.autoconfigure.ZocketHandler;
import java.util.concurrent.CompletableFuture;

/** A bean per connection, with the connection's Context and any other bean injected. */
@ZocketHandler
class GreeterHandler implements Greeter {
  private final Context<?> ctx;
  private final GreetingService greetings;

  GreeterHandler(Context<?> ctx, GreetingService greetings) {
    this.ctx = ctx;
    this.greetings = greetings;
  }

  @Override
  public CompletableFuture<Greeting> greet(Greet request) {
    Greeting greeting = new Greeting(greetings.greet(request.name()), request.name());
    ctx.emit(GreeterEvents.class).broadcast().onGreeted(greeting); // an event to every client
    return CompletableFuture.completedFuture(greeting); // the call's reply
  }
}
