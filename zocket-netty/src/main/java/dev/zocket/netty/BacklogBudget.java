package dev.zocket.netty;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server-wide budget for the frames that wait for slow clients (see {@link FrameWriter}): the
 * bytes all backlogs hold together and the number of connections that are behind. Past the budget,
 * the connections further behind than the average are cut, one at a time: the decision and the
 * release of the cut connection's backlog happen under one lock, so two I/O threads never both cut
 * a connection to make room that one cut already made. Any thread.
 */
final class BacklogBudget {
  private final long max;
  private final AtomicLong bytes = new AtomicLong();
  private final LongAdder behind = new LongAdder();

  BacklogBudget(long max) {
    this.max = max;
  }

  /** Adds a connection's waiting bytes (negative when they leave); returns the new total. */
  long add(long delta) {
    return bytes.addAndGet(delta);
  }

  void fellBehind() {
    behind.increment();
  }

  void caughtUp() {
    behind.decrement();
  }

  /**
   * Whether a connection holding {@code own} bytes should go to make room: all backlogs together
   * are past the budget and its own is larger than their average.
   */
  private boolean furtherBehindThanTheAverage(long own, long total) {
    return total > max && own * Math.max(1, behind.sum()) > total;
  }

  /**
   * Runs {@code cut} (which must release the connection's backlog through {@link #add} and {@link
   * #caughtUp} before it returns) when a connection holding {@code own} bytes, having just made the
   * total {@code total}, is further behind than the average past the budget. Checked again under
   * the lock, so a cut that is still releasing is seen by every other decision.
   *
   * @return whether the connection was cut
   */
  boolean cutIfFurtherBehind(long own, long total, Runnable cut) {
    if (!furtherBehindThanTheAverage(own, total)) {
      return false; // the common case, without the lock
    }
    synchronized (this) {
      if (!furtherBehindThanTheAverage(own, bytes.get())) {
        return false;
      }
      cut.run();
      return true;
    }
  }

  long max() {
    return max;
  }
}
