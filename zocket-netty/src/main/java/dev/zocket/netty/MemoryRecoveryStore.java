package dev.zocket.netty;

import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The recovery store of a server without a backplane: the events of the last window in memory, at
 * most {@code maxEvents} of them, numbered 1, 2, 3... (positions are their decimal numbers), and
 * the sessions of dropped connections in a map. An event is numbered, kept and delivered under one
 * lock, so that positions are the order in which every connection is handed its events.
 *
 * <p>Memory: what the kept events' texts take, plus about {@link #EVENT_OVERHEAD} bytes each, plus
 * the records of the dropped sessions; a sweep every {@link #sweepMillis()} drops what is older
 * than the window, so an idle server comes back to its idle size one window after its last event.
 * Thread-safe.
 */
final class MemoryRecoveryStore implements RecoveryStore {
  /** What a kept event costs beyond its text: its entry, its position and its target. */
  static final int EVENT_OVERHEAD = 120;

  private final long windowMillis;
  private final int maxEvents;
  private final LongSupplier clock;

  /** Guarded by itself: the kept events, oldest first, with the times they were appended. */
  private final ArrayDeque<Kept> events = new ArrayDeque<>();

  private final Map<String, Saved> sessions = new ConcurrentHashMap<>();

  /** Guarded by {@link #events}: the last position given, and the last one dropped. */
  private long last;

  private long dropped;

  private Log log;
  private ScheduledFuture<?> sweep;

  MemoryRecoveryStore(long windowMillis, int maxEvents, LongSupplier clock) {
    this.windowMillis = windowMillis;
    this.maxEvents = maxEvents;
    this.clock = clock;
  }

  /** How often old events and sessions are dropped: an eighth of the window, within 50 ms..1 s. */
  private long sweepMillis() {
    return Math.max(50, Math.min(1_000, windowMillis / 8));
  }

  @Override
  public void start(Log log) {
    this.log = log;
    long every = sweepMillis();
    sweep =
        GlobalEventExecutor.INSTANCE.scheduleAtFixedRate(
            this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void append(Target target, byte[] text) {
    synchronized (events) {
      long now = clock.getAsLong();
      Event event = new Event(Long.toString(++last), target, text);
      events.addLast(new Kept(last, now, event));
      while (events.size() > maxEvents) {
        dropped = events.removeFirst().number;
      }
      log.deliver(event);
    }
  }

  @Override
  public void resume(String position, Consumer<List<Event>> resume) {
    synchronized (events) {
      if (position == null) {
        resume.accept(List.of());
        return;
      }
      long from;
      try {
        from = Long.parseLong(position);
      } catch (NumberFormatException e) {
        resume.accept(null);
        return;
      }
      if (from < dropped || from > last || from < 0) {
        resume.accept(null); // events after it are gone, or it was never given
        return;
      }
      List<Event> after = new ArrayList<>((int) Math.min(last - from, events.size()));
      Iterator<Kept> it = events.descendingIterator();
      while (it.hasNext()) {
        Kept k = it.next();
        if (k.number <= from) {
          break;
        }
        after.add(k.event);
      }
      java.util.Collections.reverse(after);
      resume.accept(after);
    }
  }

  @Override
  public String position() {
    synchronized (events) {
      return Long.toString(last);
    }
  }

  @Override
  public int compare(String a, String b) {
    return Long.compare(number(a), number(b));
  }

  private static long number(String position) {
    try {
      long n = Long.parseLong(position);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // not one of ours: below
    }
    throw new IllegalArgumentException("Not a position of this store");
  }

  @Override
  public void saveSession(String token, byte[] record, long ttlMillis) {
    sessions.put(token, new Saved(record, clock.getAsLong() + ttlMillis));
  }

  @Override
  public CompletionStage<byte[]> takeSession(String token) {
    Saved s = sessions.remove(token);
    return CompletableFuture.completedFuture(
        s == null || s.expiresAt <= clock.getAsLong() ? null : s.record);
  }

  @Override
  public CompletionStage<Boolean> removeSession(String token) {
    return CompletableFuture.completedFuture(sessions.remove(token) != null);
  }

  /** Drops the events older than the window and the sessions past their time. */
  void sweep() {
    long now = clock.getAsLong();
    synchronized (events) {
      while (!events.isEmpty() && events.peekFirst().appendedAt <= now - windowMillis) {
        dropped = events.removeFirst().number;
      }
    }
    sessions.values().removeIf(s -> s.expiresAt <= now);
  }

  @Override
  public void close() {
    if (sweep != null) {
      sweep.cancel(false);
    }
    synchronized (events) {
      events.clear();
    }
    sessions.clear();
  }

  private record Kept(long number, long appendedAt, Event event) {}

  private record Saved(byte[] record, long expiresAt) {}
}
