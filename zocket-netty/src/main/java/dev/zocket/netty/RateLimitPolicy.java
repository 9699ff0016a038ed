package dev.zocket.netty;

/**
 * What a {@link ZocketServer} does with a message that a client sends beyond its rate limit (see
 * {@link ZocketServer.Builder#rateLimit}).
 */
public enum RateLimitPolicy {
  /**
   * Answer a call with the error {@link dev.zocket.ErrorCodes#RATE_LIMITED} without handling it,
   * and drop a message that expects no answer; the connection stays open. The default.
   */
  REJECT,

  /** Close the connection with status 1008 (policy violation). */
  CLOSE
}
