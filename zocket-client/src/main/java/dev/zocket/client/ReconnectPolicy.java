package dev.zocket.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link ZocketClient} tries again after an open connection dropped: exponential backoff
 * with jitter, or never.
 *
 * <p>The delay before attempt {@code n} (counting from 1 after each drop) is drawn uniformly from
 * {@code [base / 2, base)}, where {@code base = min(maxDelay, initialDelay * 2^(n - 1))}. The
 * jitter keeps many clients that lost the same server from coming back in lock step; the lower
 * bound keeps the delays growing. After {@link #maxAttempts()} failed attempts the client gives up
 * and closes. A successful connection resets the count.
 *
 * <pre>{@code
 * ReconnectPolicy.exponential(Duration.ofMillis(250), Duration.ofSeconds(10)).withMaxAttempts(20)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ReconnectPolicy {
  private static final ReconnectPolicy DISABLED =
      new ReconnectPolicy(Duration.ZERO, Duration.ZERO, 0);

  /** The client's default: from 500 ms up to 30 s, without a limit on attempts. */
  static final ReconnectPolicy DEFAULT =
      new ReconnectPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), Integer.MAX_VALUE);

  private final Duration initialDelay;
  private final Duration maxDelay;
  private final int maxAttempts;

  private ReconnectPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts) {
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.maxAttempts = maxAttempts;
  }

  /** Never reconnect: a dropped connection closes the client for good. */
  public static ReconnectPolicy disabled() {
    return DISABLED;
  }

  /**
   * Exponential backoff with jitter and no limit on attempts (see {@link #withMaxAttempts}).
   *
   * @param initialDelay the upper bound of the first delay; positive
   * @param maxDelay the cap on every delay; at least {@code initialDelay}
   */
  public static ReconnectPolicy exponential(Duration initialDelay, Duration maxDelay) {
    Objects.requireNonNull(initialDelay, "initialDelay == null");
    Objects.requireNonNull(maxDelay, "maxDelay == null");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive: " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay must be at least initialDelay (" + initialDelay + "): " + maxDelay);
    }
    return new ReconnectPolicy(initialDelay, maxDelay, Integer.MAX_VALUE);
  }

  /**
   * This policy, giving up after {@code maxAttempts} failed attempts in a row.
   *
   * @param maxAttempts at least 1
   * @throws IllegalStateException on {@link #disabled()}
   */
  public ReconnectPolicy withMaxAttempts(int maxAttempts) {
    if (!isEnabled()) {
      throw new IllegalStateException("reconnect is disabled; there are no attempts to limit");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    return new ReconnectPolicy(initialDelay, maxDelay, maxAttempts);
  }

  /** Whether the client reconnects at all. */
  public boolean isEnabled() {
    return maxAttempts > 0;
  }

  /** The upper bound of the first delay; zero when disabled. */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** The cap on every delay; zero when disabled. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** Failed attempts in a row before giving up; {@link Integer#MAX_VALUE} for no limit. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The delay before an attempt.
   *
   * @param attempt the attempt, counting from 1 after each drop
   * @param random a value in {@code [0, 1)} that picks the jitter
   * @return a delay in {@code [base / 2, base)} with {@code base = min(maxDelay, initialDelay *
   *     2^(attempt - 1))}
   */
  public Duration delay(int attempt, double random) {
    if (!isEnabled()) {
      throw new IllegalStateException("reconnect is disabled");
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
    }
    if (!(random >= 0 && random < 1)) {
      throw new IllegalArgumentException("random must be in [0, 1): " + random);
    }
    long cap = maxDelay.toNanos();
    long base = initialDelay.toNanos();
    for (int i = 1; i < attempt && base < cap; i++) {
      base = base > cap / 2 ? cap : base * 2;
    }
    base = Math.min(base, cap);
    long half = base / 2;
    return Duration.ofNanos(half + (long) ((base - half) * random));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReconnectPolicy p
        && initialDelay.equals(p.initialDelay)
        && maxDelay.equals(p.maxDelay)
        && maxAttempts == p.maxAttempts;
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialDelay, maxDelay, maxAttempts);
  }

  @Override
  public String toString() {
    if (!isEnabled()) {
      return "ReconnectPolicy.disabled()";
    }
    return "ReconnectPolicy.exponential("
        + initialDelay
        + ", "
        + maxDelay
        + ")"
        + (maxAttempts == Integer.MAX_VALUE ? "" : ".withMaxAttempts(" + maxAttempts + ")");
  }
}
