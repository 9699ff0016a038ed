package dev.zocket.netty;

import dev.zocket.DropReason;
import dev.zocket.internal.Drops;
import dev.zocket.internal.Observers;
import dev.zocket.spi.ZocketObserver.SlowConsumerAction;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server's rules for connections that read more slowly than the server writes to them, shared
 * by every {@link FrameWriter}: the {@link SlowConsumerPolicy}, the limits of one connection
 * ({@link Hardening#maxBacklogBytes()}, {@link Hardening#maxBacklogTime()}), the server-wide {@link
 * BacklogBudget}, and what is counted and observed when a slow consumer's event is dropped or the
 * connection is closed. The writer applies them; this class holds them and counts. Immutable but
 * for the counters. Any thread.
 */
final class SlowConsumers {
  /**
   * Whether events for a connection that is behind are dropped ({@link SlowConsumerPolicy#DROP}).
   */
  final boolean dropsEvents;

  /** Whether a slow consumer is closed with 1013 ({@link SlowConsumerPolicy#CLOSE}). */
  final boolean closes;

  /** The most bytes the server may hold for one connection that is behind. */
  final int maxBacklogBytes;

  /** The longest a connection that is behind may read nothing. */
  final Duration maxBacklogTime;

  /** What the server holds for all connections that are behind, and its budget. */
  final BacklogBudget budget;

  private final Drops drops;
  private final LongAdder closed;
  private final Observers observers;

  /**
   * @param policy what happens to a connection that falls behind
   * @param maxBacklogBytes the most bytes held for one connection that is behind
   * @param maxBacklogTime the longest a connection that is behind may read nothing
   * @param budget the server-wide budget
   * @param drops where an event dropped under {@link SlowConsumerPolicy#DROP} is counted
   * @param closed counts the slow consumers closed
   * @param observers told of every drop and close
   */
  SlowConsumers(
      SlowConsumerPolicy policy,
      int maxBacklogBytes,
      Duration maxBacklogTime,
      BacklogBudget budget,
      Drops drops,
      LongAdder closed,
      Observers observers) {
    this.dropsEvents = policy == SlowConsumerPolicy.DROP;
    this.closes = policy == SlowConsumerPolicy.CLOSE;
    this.maxBacklogBytes = maxBacklogBytes;
    this.maxBacklogTime = maxBacklogTime;
    this.budget = budget;
    this.drops = drops;
    this.closed = closed;
    this.observers = observers;
  }

  /** An event for a connection that is behind was dropped. */
  void dropped() {
    drops.count(DropReason.SLOW_CONSUMER);
    if (observers.enabled) {
      observers.onSlowConsumer(SlowConsumerAction.DROPPED);
    }
  }

  /** A slow consumer is being closed with 1013. */
  void closed() {
    closed.increment();
    if (observers.enabled) {
      observers.onSlowConsumer(SlowConsumerAction.CLOSED);
    }
  }
}
