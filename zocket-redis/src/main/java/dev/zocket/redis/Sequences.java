package dev.zocket.redis;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's numbering of the events it publishes, one count per channel, so that every receiver can
 * tell from the numbers it sees on a channel how many of this node's events it missed ({@link
 * Arrivals}). An event is numbered when it is sent, whether or not it then reaches Redis: one that
 * is dropped on the way (Redis away or slow) shows as a gap at every receiver too.
 *
 * <p>A count starts at 1 in a new epoch. Epochs only grow: the first is the current time in
 * nanoseconds since the epoch, so a node restarted with the same id starts above its last run, and
 * every new count takes the next. Counts are kept for at most {@value #MAX_CHANNELS} channels; past
 * that they are all forgotten and start again in new epochs (a receiver then only misses the chance
 * to see events lost just before). So memory stays bounded however many rooms a node publishes to.
 *
 * <p>Threading: any thread. A count is taken under its own lock together with the send, so that the
 * numbers go out in order on the channel's connection. Thread-safe.
 */
final class Sequences {
  /** The most channels counted at once. */
  static final int MAX_CHANNELS = 65_536;

  private final AtomicLong epochs = new AtomicLong(System.currentTimeMillis() * 1_000_000L);
  private final ConcurrentHashMap<String, Count> counts = new ConcurrentHashMap<>();

  /** The count of events on a channel; lock it while numbering and sending one. */
  Count of(String channel) {
    Count count = counts.get(channel);
    if (count != null) {
      return count;
    }
    if (counts.size() >= MAX_CHANNELS) {
      counts.clear();
    }
    return counts.computeIfAbsent(channel, c -> new Count(epochs.incrementAndGet()));
  }

  /** The events numbered on one channel in one epoch; guarded by itself. */
  static final class Count {
    final long epoch;
    private long last;

    private Count(long epoch) {
      this.epoch = epoch;
    }

    /** The next event's number, from 1. Call holding this count's lock. */
    long next() {
      return ++last;
    }
  }
}
