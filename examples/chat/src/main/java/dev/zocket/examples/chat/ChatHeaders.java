package dev.zocket.examples.chat;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Size;

/**
 * The handshake headers of a chat connection. Browsers send them as query parameters ({@code
 * ws://localhost:3000/?user-name=Alice}); the server validates them before the upgrade.
 *
 * @param userName the name shown to the other members; {@code "Anonymous"} when missing or blank
 */
public record ChatHeaders(@JsonProperty("user-name") @Size(max = 64) String userName) {
  /** The name given to a connection that sends none. */
  public static final String ANONYMOUS = "Anonymous";

  /** Replaces a missing or blank name with {@link #ANONYMOUS}. */
  public ChatHeaders {
    if (userName == null || userName.isBlank()) {
      userName = ANONYMOUS;
    }
  }
}
