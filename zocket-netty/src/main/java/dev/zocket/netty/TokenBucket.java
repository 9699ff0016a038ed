package dev.zocket.netty;

/**
 * One connection's rate limit ({@link ZocketServer.Builder#rateLimit}): a token bucket that holds
 * up to {@code burst} messages and refills at {@code messagesPerSecond}. A message finds a token or
 * not; under {@link RateLimitPolicy#THROTTLE} it takes one on credit instead, and the bucket is in
 * debt until the refill has paid it back. What a missing token or a debt does to the connection is
 * the {@link RateLimiter}'s to decide; this class only counts, so the arithmetic reads (and can be
 * tested) apart from Netty. Made only for a server with a rate limit.
 *
 * <p>Threading: on the connection's I/O thread only.
 */
final class TokenBucket {
  private final int messagesPerSecond;
  private final int burst;

  /** The messages that may be sent now; below 0, the messages owed. */
  private double tokens;

  /** When {@link #tokens} was last refilled ({@code nanoTime}). */
  private long refilledAt;

  /** A full bucket. */
  TokenBucket(int messagesPerSecond, int burst) {
    this.messagesPerSecond = messagesPerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = System.nanoTime();
  }

  /** Adds the tokens earned since the last refill, up to the burst. */
  void refill() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - refilledAt) * (messagesPerSecond / 1e9));
    refilledAt = now;
  }

  /** Takes a token if there is one; returns whether it did. */
  boolean tryTake() {
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Takes a token, owing it if there is none: for a message already read and to be handled. */
  void takeOnCredit() {
    tokens -= 1;
  }

  /** Whether more tokens were taken than the bucket held. */
  boolean inDebt() {
    return tokens < 0;
  }

  /** How long the refill takes to pay the debt back, in nanoseconds. */
  long nanosUntilPaid() {
    return (long) Math.ceil(-tokens * 1e9 / messagesPerSecond);
  }

  /** The limit, as the log states it: {@code "100 (burst 10)"}. */
  @Override
  public String toString() {
    return messagesPerSecond + " (burst " + burst + ")";
  }
}
