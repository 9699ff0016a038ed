package dev.zocket.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's rate limit ({@link ZocketServer.Builder#rateLimit}) and its policy: counts each
 * message read in a {@link TokenBucket} and says whether to handle it. Under {@link
 * RateLimitPolicy#THROTTLE} every message is handled, and reading pauses ({@link
 * ReadPauses#THROTTLED}) until the bucket's debt is paid back; otherwise a message beyond the rate
 * is not handled, and under {@link RateLimitPolicy#CLOSE} the {@link FrameHandler} closes the
 * connection. Made only for a server with a rate limit ({@link #of}).
 *
 * <p>Threading: on the connection's I/O thread only; the unthrottling timer fires there too.
 */
final class RateLimiter {
  /**
   * A server's rate limit. Immutable.
   *
   * @param messagesPerSecond the sustained rate of incoming messages per connection; 0 for no limit
   * @param burst the messages a connection may send at once above the rate
   * @param policy what happens beyond the rate
   */
  record Limit(int messagesPerSecond, int burst, RateLimitPolicy policy) {}

  private final TokenBucket bucket;
  private final RateLimitPolicy policy;

  /** Resumes reading once the bucket's debt is paid; set while throttled. */
  private ScheduledFuture<?> unthrottle;

  private RateLimiter(Limit limit) {
    this.bucket = new TokenBucket(limit.messagesPerSecond(), limit.burst());
    this.policy = limit.policy();
  }

  /** A connection's limiter with a full bucket, or null when {@code limit} is none. */
  static RateLimiter of(Limit limit) {
    return limit.messagesPerSecond() == 0 ? null : new RateLimiter(limit);
  }

  /**
   * Applies the limit to one message read: true to handle it. Throttling handles it and pauses
   * {@code reads} until the bucket holds a message again (a timer on the I/O thread of {@code ctx},
   * the frame stage's context, lifts the pause); otherwise a message beyond the rate is not handled
   * (see {@link #closes}).
   */
  boolean allows(ChannelHandlerContext ctx, ReadPauses reads) {
    bucket.refill();
    if (policy == RateLimitPolicy.THROTTLE) {
      bucket.takeOnCredit(); // already read: handled, and owed
      if (bucket.inDebt() && unthrottle == null) {
        reads.pause(ReadPauses.THROTTLED);
        scheduleUnthrottle(ctx.executor(), reads);
      }
      return true;
    }
    return bucket.tryTake();
  }

  /** Whether a message beyond the rate closes the connection with 1008. */
  boolean closes() {
    return policy == RateLimitPolicy.CLOSE;
  }

  /** Resumes reading once the debt of messages read beyond the rate is paid. */
  private void scheduleUnthrottle(EventExecutor executor, ReadPauses reads) {
    unthrottle =
        executor.schedule(
            () -> {
              bucket.refill();
              if (bucket.inDebt()) {
                scheduleUnthrottle(executor, reads); // read more meanwhile
              } else {
                unthrottle = null;
                reads.resume(ReadPauses.THROTTLED);
              }
            },
            bucket.nanosUntilPaid(),
            TimeUnit.NANOSECONDS);
  }

  /** The channel has closed: the pending resume is moot. */
  void stop() {
    if (unthrottle != null) {
      unthrottle.cancel(false);
      unthrottle = null;
    }
  }

  /** The limit, as the log states it: {@code "100 (burst 10)"}. */
  @Override
  public String toString() {
    return bucket.toString();
  }
}
