package dev.zocket.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One kind of log line that clients can cause, at a rate they cannot raise: at most {@value #LINES}
 * lines per {@link #INTERVAL}, each in full (with its stack trace); beyond them, until the interval
 * ends, the line goes to debug. The next line logged in full says how many went to debug since the
 * previous one. So a client that makes a handler fail in a loop costs a few lines a minute, and no
 * failure is lost from sight: the count reaches the log, and the lines themselves are there at
 * debug.
 *
 * <pre>{@code
 * private final RateLimitedLog failures = new RateLimitedLog(log);
 * ...
 * failures.error("Handler for '{}' failed", route, t);
 * }</pre>
 *
 * <p>Arguments follow SLF4J's rules: a {@link Throwable} last is the line's stack trace. One
 * instance per kind of line (a call site, usually), so that a flood of one kind does not hide
 * another.
 *
 * <p>Thread-safe: lines of one kind may come from any thread; deciding takes a short lock.
 */
public final class RateLimitedLog {
  /** The lines of one kind logged in full per {@link #INTERVAL}. */
  public static final int LINES = 10;

  /** The interval over which {@link #LINES} are logged in full. */
  public static final Duration INTERVAL = Duration.ofMinutes(1);

  private final Logger log;
  private final int lines;
  private final long intervalNanos;
  private final LongSupplier clock;

  /** When the current interval began, on {@link #clock}; guarded by this. */
  private long intervalStart;

  /** The lines logged in full in the current interval; guarded by this. */
  private int logged;

  /** The lines sent to debug since the last one logged in full; guarded by this. */
  private long suppressed;

  /**
   * {@value #LINES} lines per {@link #INTERVAL}.
   *
   * @param log where the lines go
   */
  public RateLimitedLog(Logger log) {
    this(log, LINES, INTERVAL.toNanos(), System::nanoTime);
  }

  RateLimitedLog(Logger log, int lines, long intervalNanos, LongSupplier clock) {
    this.log = log;
    this.lines = lines;
    this.intervalNanos = intervalNanos;
    this.clock = clock;
    this.intervalStart = clock.getAsLong();
  }

  /** Logs a line at info, or at debug beyond the rate. */
  public void info(String format, Object... args) {
    if (log.isInfoEnabled()) {
      long before = permit();
      if (before < 0) {
        log.debug(format, args);
      } else if (before == 0) {
        log.info(format, args);
      } else {
        log.info(withCount(format), withCount(args, before));
      }
    }
  }

  /** Logs a line at warn, or at debug beyond the rate. */
  public void warn(String format, Object... args) {
    if (log.isWarnEnabled()) {
      long before = permit();
      if (before < 0) {
        log.debug(format, args);
      } else if (before == 0) {
        log.warn(format, args);
      } else {
        log.warn(withCount(format), withCount(args, before));
      }
    }
  }

  /** Logs a line at error, or at debug beyond the rate. */
  public void error(String format, Object... args) {
    if (log.isErrorEnabled()) {
      long before = permit();
      if (before < 0) {
        log.debug(format, args);
      } else if (before == 0) {
        log.error(format, args);
      } else {
        log.error(withCount(format), withCount(args, before));
      }
    }
  }

  /**
   * Whether the next line is logged in full: -1 if not (it goes to debug), else how many went to
   * debug since the last one that was.
   */
  private synchronized long permit() {
    long now = clock.getAsLong();
    if (now - intervalStart >= intervalNanos) {
      intervalStart = now;
      logged = 0;
    }
    if (logged == lines) {
      suppressed++;
      return -1;
    }
    logged++;
    long before = suppressed;
    suppressed = 0;
    return before;
  }

  private static String withCount(String format) {
    return format + " ({} more like it since the previous one were logged at debug only)";
  }

  /** The arguments with the count after the last placeholder's, before a trailing throwable. */
  private static Object[] withCount(Object[] args, long count) {
    int n = args.length;
    boolean thrown = n > 0 && args[n - 1] instanceof Throwable;
    Object[] all = Arrays.copyOf(args, n + 1);
    if (thrown) {
      all[n - 1] = count;
      all[n] = args[n - 1];
    } else {
      all[n] = count;
    }
    return all;
  }
}
