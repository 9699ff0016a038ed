package dev.zocket.internal;

import dev.zocket.DropReason;
import java.util.concurrent.atomic.LongAdder;

/** The messages a server dropped, counted by reason. Thread-safe; counting never blocks. */
public final class Drops {
  private static final DropReason[] REASONS = DropReason.values();

  private final LongAdder[] counts = new LongAdder[REASONS.length];
  private final Observers observers;

  /** Counters at zero, without observers. */
  public Drops() {
    this(Observers.NONE);
  }

  /** Counters at zero, telling {@code observers} of every drop. */
  public Drops(Observers observers) {
    this.observers = observers;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /** Counts one drop. */
  public void count(DropReason reason) {
    counts[reason.ordinal()].increment();
    if (observers.enabled) {
      observers.onDropped(reason);
    }
  }

  /** The drops of one reason so far. */
  public long get(DropReason reason) {
    return counts[reason.ordinal()].sum();
  }

  /** All drops so far. */
  public long total() {
    long sum = 0;
    for (LongAdder c : counts) {
      sum += c.sum();
    }
    return sum;
  }
}
