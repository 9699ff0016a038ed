package dev.zocket.netty;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server-wide budget for what the server holds for clients that are behind (see {@link
 * FrameWriter}): the bytes of their backlogs and of Netty's outbound buffers together, the part of
 * it that connections already closing still hold until their sockets close, and the number of
 * connections that are behind. Past the budget, the connections at least as far behind as the
 * average are cut, one at a time: the decision and the release of the cut connection's bytes happen
 * under one lock, so two I/O threads never both cut a connection to make room that one cut already
 * made. Any thread.
 */
final class BacklogBudget {
  private final long max;
  private final AtomicLong bytes = new AtomicLong();

  /** The part of {@link #bytes} held by connections whose close has begun. */
  private final AtomicLong closing = new AtomicLong();

  private final LongAdder behind = new LongAdder();

  /**
   * Replies encoded and on their way to their I/O threads: counted against the budget by {@link
   * #charge}, and by no connection yet. An adder: every reply adds to it and takes back from it,
   * from many threads.
   */
  private final LongAdder inTransit = new LongAdder();

  BacklogBudget(long max) {
    this.max = max;
  }

  /** Adds a connection's waiting bytes (negative when they leave); returns the new total. */
  long add(long delta) {
    return bytes.addAndGet(delta);
  }

  /**
   * Adds bytes that a closing connection still holds (negative when they leave), counted in the
   * total but not in the average of the connections that are behind.
   */
  void addClosing(long delta) {
    closing.addAndGet(delta);
    bytes.addAndGet(delta);
  }

  void fellBehind() {
    behind.increment();
  }

  void caughtUp() {
    behind.decrement();
  }

  /**
   * Whether a connection holding {@code own} bytes should go to make room: everything held together
   * is past the budget and its own is at least the average of the connections that are behind (so
   * among stalled clients that all hold alike, each goes as it adds more).
   */
  private boolean furtherBehindThanTheAverage(long own, long total) {
    return total > max && own * Math.max(1, behind.sum()) >= total - closing.get();
  }

  /**
   * Runs {@code cut} (which must release the connection's bytes through {@link #add}, {@link
   * #addClosing} and {@link #caughtUp} before it returns) when a connection holding {@code own}
   * bytes, having just made the total {@code total}, is at least as far behind as the average past
   * the budget. Checked again under the lock, so a cut that is still releasing is seen by every
   * other decision.
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

  /**
   * Whether a connection holding {@code own} bytes would be cut now (see {@link
   * #cutIfFurtherBehind}), without cutting it.
   */
  boolean wouldCut(long own) {
    return furtherBehindThanTheAverage(own, bytes.get());
  }

  /**
   * Adds the bytes of replies on their way to their I/O threads (negative when they arrive), which
   * count against the budget when a reply is {@linkplain #charge charged}.
   */
  void addInTransit(long delta) {
    inTransit.add(delta);
  }

  /**
   * Counts {@code n} bytes of a reply being encoded as on their way, unless everything held
   * together (replies on their way included) would pass the budget.
   *
   * @return whether they were counted
   */
  boolean charge(long n) {
    inTransit.add(n);
    if (bytes.get() + inTransit.sum() > max) {
      inTransit.add(-n);
      return false;
    }
    return true;
  }

  /** The bytes counted now for connections that are not closing, replies on their way included. */
  long open() {
    return bytes.get() - closing.get() + inTransit.sum();
  }

  /** The bytes counted now. */
  long total() {
    return bytes.get() + inTransit.sum();
  }

  /** Whether everything held together is past the budget now. */
  boolean passed() {
    return bytes.get() > max;
  }

  long max() {
    return max;
  }
}
