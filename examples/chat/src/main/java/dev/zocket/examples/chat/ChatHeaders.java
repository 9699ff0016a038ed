package dev.zocket.examples.chat;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The handshake headers of a chat connection. Browsers send them as query parameters ({@code
 * ws://localhost:3000/?user-name=Alice}); the server validates them before the upgrade. As in the
 * seed ({@code z.string().default("Anonymous")}), any name is accepted.
 *
 * @param userName the name shown to the other members; {@code "Anonymous"} when missing
 */
// region contract
public record ChatHeaders(@JsonProperty("user-name") String userName) {
  /** The name given to a connection that sends none. */
  public static final String ANONYMOUS = "Anonymous";

  /** Replaces a missing name with {@link #ANONYMOUS}. */
  public ChatHeaders {
    if (userName == null) {
      userName = ANONYMOUS;
    }
  }
}
// endregion contract
