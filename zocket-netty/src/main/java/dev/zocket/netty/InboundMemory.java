package dev.zocket.netty;

import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes of the messages queued for handlers on every connection, against the server-wide budget
 * ({@link ZocketServer.Builder#maxInboundMemory}): a connection that adds to them while they are
 * past it is not read from until they are back within it (see {@link ReadPauses}). Thread-safe;
 * adding takes no lock and little contention.
 */
final class InboundMemory {
  private final LongAdder used = new LongAdder();
  private final long max;

  InboundMemory(long max) {
    this.max = max;
  }

  /** Counts bytes queued (positive) or taken (negative). */
  void add(long bytes) {
    used.add(bytes);
  }

  /** Whether the bytes queued on all connections are past the budget (sums every cell). */
  boolean over() {
    return used.sum() > max;
  }
}
