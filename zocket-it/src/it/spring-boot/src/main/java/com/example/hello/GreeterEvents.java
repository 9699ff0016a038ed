package com.example.hello;

import dev.zocket.Namespace;

/** Server to client. */
@Namespace("greeter")
public interface GreeterEvents {
  void onGreeted(Greeting greeting); // an event, route greeter.onGreeted
}
