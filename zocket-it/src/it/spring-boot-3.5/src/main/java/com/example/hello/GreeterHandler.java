package com.example.hello;

import dev.zocket.spring.boot.autoconfigure.ZocketHandler;
import java.util.concurrent.CompletableFuture;

@ZocketHandler
class GreeterHandler implements Greeter {
  @Override
  public CompletableFuture<Greeting> greet(Greet request) {
    return CompletableFuture.completedFuture(new Greeting("Hello, " + request.name() + "!"));
  }
}
