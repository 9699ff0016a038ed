package dev.zocket.spring.boot.autoconfigure.sample;

import dev.zocket.Namespace;
import jakarta.validation.constraints.NotBlank;

/** A call answered by a handler bean with an injected service. */
@Namespace("greeter")
public interface Greeter {
  /** A greeting request. */
  record Greet(@NotBlank String name) {}

  /** A greeting. */
  record Greeting(String text, String clientId) {}

  Greeting greet(Greet request);

  /** Answers after {@code millis}, for the graceful-shutdown test. */
  Greeting slow(Slow request);

  /** How long a slow call takes. */
  record Slow(long millis) {}
}
