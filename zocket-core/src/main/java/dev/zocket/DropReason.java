package dev.zocket;

/**
 * Why a server dropped a message: neither handled it nor answered it. A server counts every drop by
 * its reason (see {@code ZocketServer.droppedMessages(DropReason)}); nothing it read is lost
 * without being counted.
 */
public enum DropReason {
  /**
   * Not a protocol envelope: not JSON, not an object, {@code type} missing or not a string, {@code
   * rpcId} not a string, a duplicate key, or a JSON limit exceeded. Such a frame has no call id
   * that could be answered. A text frame that is not UTF-8 is counted here too, and closes its
   * connection with 1007.
   */
  MALFORMED,

  /** A message without {@code rpcId} for a route the server does not have. */
  UNKNOWN_ROUTE,

  /**
   * A message without {@code rpcId} whose payload did not bind to its type or broke a constraint.
   */
  INVALID_PAYLOAD,

  /**
   * A message without {@code rpcId} whose payload could not be checked because the validator or the
   * payload's own code failed (logged at error).
   */
  INTERNAL_ERROR,

  /**
   * A message over the rate limit: one without {@code rpcId} when the rate limit policy rejects (a
   * call is answered with an error instead), and the message, call or not, that makes the close
   * policy close its connection (those read after it are {@link #CLOSING}).
   */
  RATE_LIMITED,

  /** A message that arrived after the server had started to close its connection. */
  CLOSING,

  /**
   * An event not written to a connection whose outbound buffer was full, when the slow consumer
   * policy drops (not the default: by default such a connection is closed).
   */
  SLOW_CONSUMER
}
