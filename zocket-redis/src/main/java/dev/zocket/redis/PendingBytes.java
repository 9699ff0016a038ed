package dev.zocket.redis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes this node has handed to Lettuce for Redis (events published to other nodes, events
 * appended to the recovery stream, control messages) that Redis has not answered yet, against the
 * backplane's {@linkplain RedisBackplane.Builder#maxPendingBytes budget}. Lettuce queues a command
 * without bound while Redis is slow or stalled with the connection still open, so without this a
 * Redis that stops answering would hold every event of every node's traffic in the heap. Over the
 * budget, a message is dropped before it is sent, and counted by its sender. Thread-safe.
 */
final class PendingBytes {
  private final long max;
  private final AtomicLong pending = new AtomicLong();

  /**
   * An empty budget.
   *
   * @param max the most bytes that may be waiting for Redis at once
   */
  PendingBytes(long max) {
    this.max = max;
  }

  /**
   * Counts a message about to be sent, if it fits.
   *
   * @param bytes its size
   * @return false, counting nothing, if the budget has no room for it
   */
  boolean take(int bytes) {
    long now;
    do {
      now = pending.get();
      if (now + bytes > max) {
        return false;
      }
    } while (!pending.compareAndSet(now, now + bytes));
    return true;
  }

  /** Redis answered a message counted by {@link #take} (or it failed): its bytes are free. */
  void release(int bytes) {
    pending.addAndGet(-bytes);
  }

  /** Whether less than half the budget is in use: a backlog that filled it has drained. */
  boolean drained() {
    return pending.get() < max / 2;
  }

  /** The bytes waiting for Redis now. */
  long pending() {
    return pending.get();
  }

  /** The budget. */
  long max() {
    return max;
  }
}
