package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages sent while no connection is open, kept, dropped or refused as the {@link
 * WhileDisconnected} policy says; kept ones go out first on the next connection. Not thread-safe:
 * {@link ConnectionLifecycle} guards it with its lock.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final WhileDisconnected policy;
  private final ArrayDeque<byte[]> frames = new ArrayDeque<>();

  Outbox(WhileDisconnected policy) {
    this.policy = policy;
  }

  /**
   * Takes a message of {@code route} that cannot be sent now.
   *
   * @throws ZocketException with code {@code DISCONNECTED} when the policy refuses it
   */
  void add(String route, byte[] frame) {
    switch (policy.mode()) {
      case FAIL ->
          throw new ZocketException(
              ErrorCodes.DISCONNECTED, "Not connected; " + route + " was not sent");
      case DROP -> log.debug("Dropped {}: not connected", route);
      case BUFFER -> {
        if (frames.size() >= policy.max()) {
          if (policy.overflow() == WhileDisconnected.Overflow.FAIL) {
            throw new ZocketException(
                ErrorCodes.DISCONNECTED,
                "Not connected and "
                    + frames.size()
                    + " messages are waiting already; "
                    + route
                    + " was not sent");
          }
          frames.poll();
          log.warn("Dropped the oldest waiting message to keep {}", route);
        }
        frames.add(frame);
      }
    }
  }

  /** Sends the kept messages, oldest first, on a connection that just opened. */
  void drainTo(ClientHandler connection) {
    for (byte[] frame; (frame = frames.poll()) != null; ) {
      connection.send(frame);
    }
  }

  /** Forgets the kept messages: the client closed. */
  void clear() {
    frames.clear();
  }
}
