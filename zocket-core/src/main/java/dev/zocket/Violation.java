package dev.zocket;

import java.util.Objects;

/**
 * One failed constraint of a payload or of the handshake headers.
 *
 * @param path where the value sits, in the JSON names of the payload: {@code "roomId"}, {@code
 *     "items[2].name"}, {@code "user-name"}; empty for the payload itself
 * @param message what is wrong, for example {@code "must not be blank"}
 */
public record Violation(String path, String message) {
  /** Checks that neither part is null. */
  public Violation {
    Objects.requireNonNull(path, "path == null");
    Objects.requireNonNull(message, "message == null");
  }
}
