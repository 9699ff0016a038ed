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
   * that could be answered.
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

  /** A message without {@code rpcId} over the rate limit, when the rate limit policy rejects. */
  RATE_LIMITED,

  /** A message that arrived after the server had started to close its connection. */
  CLOSING,

  /**
   * An event not written to a connection whose outbound buffer was full, when the slow consumer
   * policy drops (not the default: by default such a connection is closed).
   */
  SLOW_CONSUMER
}
