package dev.zocket.netty;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Makes the client ids of one server: 128 random bits, base64url without padding (22 characters),
 * after the backplane's node id and a dot when there is a backplane. Thread-safe.
 */
final class ClientIds {
  private final SecureRandom random = new SecureRandom();

  /** Empty, or a backplane's node id and a dot. */
  private final String prefix;

  ClientIds(String prefix) {
    this.prefix = prefix;
  }

  /** A new client id. */
  String next() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return prefix.isEmpty() ? id : prefix + id;
  }
}
