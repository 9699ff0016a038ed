package dev.zocket.netty;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One client's session under connection-state recovery: its secret token and client id, and what
 * its next connection gets back when the current one drops (its user context, attributes and
 * rooms). Attached to one connection at a time; parked between a drop and a resumption, for the
 * window; ended by a deliberate close, by its expiry, or when it cannot be resumed. The transitions
 * are {@link Sessions}'; the fields are guarded by this object's lock.
 */
final class Session {
  enum State {
    ATTACHED,
    PARKED,
    ENDED
  }

  final String token;
  final String clientId;

  /**
   * Who the session's connections authenticated as ({@link Authenticator#principal}); null when the
   * authenticator names no one. Only a connection of the same principal resumes the session.
   */
  final String principal;

  /** The session's rooms over time, for exact replays. */
  SessionRooms history;

  State state = State.ATTACHED;

  /** The connection attached, or the last one (the context {@code onDisconnect} sees). */
  ServerConnection connection;

  /**
   * The connection the session was resumed from on this node, until the new one is registered: the
   * context of {@code onDisconnect} if the session cannot be resumed after all.
   */
  ServerConnection previous;

  /** Counts the parkings, so that a node can tell its own record from a newer one. */
  long generation;

  /** What the next connection gets back, captured when the session parks. */
  Object user;

  Map<String, Object> attributes;
  Set<String> rooms = Set.of();

  /**
   * While parked: the position of the last event that could have been delivered to its last
   * connection; a client resuming from a later one is not believed.
   */
  String parkedAt;

  /** While parked on this node: what it holds of the room memory budget. */
  long parkedBytes;

  /** Completes when the attached connection has parked the session, or with null if it ended. */
  CompletableFuture<Session> detached = new CompletableFuture<>();

  /** Ends a parked session when its window has passed. */
  ScheduledFuture<?> expiry;

  Session(String token, String clientId, String principal, ServerConnection connection) {
    this.token = token;
    this.clientId = clientId;
    this.principal = principal;
    this.connection = connection;
  }

  @Override
  public String toString() {
    return "Session(" + clientId + ")";
  }
}
