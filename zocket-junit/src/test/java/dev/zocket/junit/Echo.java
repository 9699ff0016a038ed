package dev.zocket.junit;

import dev.zocket.Namespace;
import java.util.concurrent.CompletableFuture;

/** The contract of the extension's tests: a call that answers the caller's name and its text. */
@Namespace("echo")
public interface Echo {
  /** Answers {@code "<user-name header>: <text>"}. */
  CompletableFuture<Said> say(Said said);

  /** What was said. */
  record Said(String text) {}
}
