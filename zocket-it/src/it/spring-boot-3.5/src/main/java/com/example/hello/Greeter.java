package com.example.hello;

import dev.zocket.Namespace;
import java.util.concurrent.CompletableFuture;

/** Client to server. */
@Namespace("greeter")
public interface Greeter {
  CompletableFuture<Greeting> greet(Greet request); // a call, route greeter.greet
}
