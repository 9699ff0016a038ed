package dev.zocket.netty;

/**
 * What a {@link ZocketServer} does with a message that a client sends beyond its rate limit (see
 * {@link ZocketServer.Builder#rateLimit}).
 */
public enum RateLimitPolicy {
  /**
   * Handle every message, and stop reading from the connection until its rate is back within the
   * limit: the client is slowed down by TCP, and nothing it sent is lost. The default.
   */
  THROTTLE,

  /**
   * Answer a call beyond the rate with the error {@link dev.zocket.ErrorCodes#RATE_LIMITED} without
   * handling it, and drop a message without {@code rpcId} (counted as {@link
   * dev.zocket.DropReason#RATE_LIMITED}); the connection stays open.
   */
  REJECT,

  /**
   * Close the connection with status 1008 (policy violation). The message over the rate is not
   * handled, and is counted as {@link dev.zocket.DropReason#RATE_LIMITED}, a call too (its answer
   * could no longer be written); those read after it as {@link dev.zocket.DropReason#CLOSING}.
   */
  CLOSE
}
