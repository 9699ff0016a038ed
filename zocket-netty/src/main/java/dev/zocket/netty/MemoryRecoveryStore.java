package dev.zocket.netty;

import dev.zocket.internal.Observers;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import dev.zocket.spi.ZocketObserver.RecoveryBound;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery store of a server without a backplane: the events of the last window in memory, at
 * most {@code maxEvents} of them taking at most {@code maxBytes} (as {@link #cost} counts them),
 * numbered 1, 2, 3... (positions are their decimal numbers), and the sessions of dropped
 * connections in a map. An event is numbered, kept and delivered under one lock, so that positions
 * are the order in which every connection is handed its events.
 *
 * <p>An event that takes the store past either bound pushes the oldest ones out, itself too when it
 * alone is larger than {@code maxBytes} (it is still delivered): a session that missed an event no
 * longer kept starts afresh. Each such eviction is told to the observers; those by bytes are also
 * logged at WARN, at most once a {@link #LOG_EVERY_NANOS minute} with the count since the last
 * line.
 *
 * <p>Memory: what the kept events take as {@link #cost} counts it, plus the records of the dropped
 * sessions; a sweep every {@link #sweepMillis()} drops what is older than the window, so an idle
 * server comes back to its idle size one window after its last event. Thread-safe.
 */
final class MemoryRecoveryStore implements RecoveryStore {
  private static final Logger logger = LoggerFactory.getLogger(MemoryRecoveryStore.class);

  /**
   * What a kept event costs beyond its text's bytes: its entry in the queue, its record, its
   * position's string and the text array's header and padding. Measured (200,000 events, live heap
   * after full collections, JDK 17, compressed references): 117 bytes an event with an empty text
   * and a target both shared among the events; its own text array adds 16 bytes and up to 7 of
   * padding.
   */
  static final int EVENT_OVERHEAD = 140;

  /**
   * What an event's target costs beyond its ids: the record and its two lists. Counted for every
   * event, though the events of one emitter share their target, so that the count errs on the safe
   * side. Measured with the next: an event of an empty text to a room of 6 characters, with a
   * target of its own, took 230 bytes, counted as 140 + 48 + 56 + 12 = 256; one of 1,000 bytes took
   * 1,235, counted as 1,256.
   */
  static final int TARGET_OVERHEAD = 48;

  /** What each client or room id of a target costs beyond its characters: its string and slot. */
  static final int ID_OVERHEAD = 56;

  /** The least time between two log lines about events evicted by bytes. */
  static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final long windowMillis;
  private final int maxEvents;
  private final long maxBytes;
  private final LongSupplier clock;
  private final Observers observers;

  /** Guarded by itself: the kept events, oldest first, with the times they were appended. */
  private final ArrayDeque<Kept> events = new ArrayDeque<>();

  private final Map<String, Saved> sessions = new ConcurrentHashMap<>();

  /** Guarded by {@link #events}: the last position given, and the last one dropped. */
  private long last;

  private long dropped;

  /** Guarded by {@link #events}: what the kept events cost together (see {@link #cost}). */
  private long bytes;

  /**
   * Guarded by {@link #events}: the events evicted by bytes since the last log line and what they
   * cost, whether a line was written, and when ({@link System#nanoTime}).
   */
  private long unloggedEvictions;

  private long unloggedEvictedBytes;
  private boolean logged;
  private long loggedAt;

  private Log log;
  private ScheduledFuture<?> sweep;

  /**
   * A store keeping at most {@code maxEvents} events of the last {@code windowMillis}, which cost
   * at most {@code maxBytes} together.
   */
  MemoryRecoveryStore(
      long windowMillis, int maxEvents, long maxBytes, LongSupplier clock, Observers observers) {
    this.windowMillis = windowMillis;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.observers = observers;
  }

  /**
   * What an event is counted as taking in the heap: its text, {@link #EVENT_OVERHEAD}, and its
   * target ({@link #TARGET_OVERHEAD}, plus {@link #ID_OVERHEAD} and two bytes a character for each
   * id).
   */
  static long cost(Target target, byte[] text) {
    long cost = (long) text.length + EVENT_OVERHEAD + TARGET_OVERHEAD;
    for (String id : target.ids()) {
      cost += ID_OVERHEAD + 2L * id.length();
    }
    for (String id : target.except()) {
      cost += ID_OVERHEAD + 2L * id.length();
    }
    return cost;
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
    String report = null;
    long reportEvents = 0;
    long reportBytes = 0;
    long cost = cost(target, text); // outside the lock: a target may name many clients
    synchronized (events) {
      long now = clock.getAsLong();
      Event event = new Event(Long.toString(++last), target, text);
      events.addLast(new Kept(last, now, event, cost));
      bytes += cost;
      int byCount = 0;
      long byCountBytes = 0;
      while (events.size() > maxEvents) {
        Kept k = evictOldest();
        byCount++;
        byCountBytes += k.cost;
      }
      int byBytes = 0;
      long byBytesBytes = 0;
      while (bytes > maxBytes && !events.isEmpty()) {
        Kept k = evictOldest();
        byBytes++;
        byBytesBytes += k.cost;
      }
      log.deliver(event);
      if (observers.enabled && byCount > 0) {
        observers.onRecoveryEvicted(RecoveryBound.MAX_EVENTS, byCount, byCountBytes);
      }
      if (byBytes > 0) {
        if (observers.enabled) {
          observers.onRecoveryEvicted(RecoveryBound.MAX_BYTES, byBytes, byBytesBytes);
        }
        unloggedEvictions += byBytes;
        unloggedEvictedBytes += byBytesBytes;
        long nanos = System.nanoTime();
        if (!logged || nanos - loggedAt >= LOG_EVERY_NANOS) {
          logged = true;
          loggedAt = nanos;
          report = Long.toString(dropped);
          reportEvents = unloggedEvictions;
          reportBytes = unloggedEvictedBytes;
          unloggedEvictions = 0;
          unloggedEvictedBytes = 0;
        }
      }
    }
    if (report != null) {
      logger.warn(
          "The recovery store is at its memory bound of {} bytes (maxRecoveryMemory): {} event(s),"
              + " counted as {} bytes, were dropped before their window had passed since the last"
              + " such line (the last at position {}); sessions that missed them start afresh when"
              + " they resume. Logged at most once a minute.",
          maxBytes,
          reportEvents,
          reportBytes,
          report);
    }
  }

  /** Drops the oldest event kept. Holding the lock of {@link #events}, which is not empty. */
  private Kept evictOldest() {
    Kept k = events.removeFirst();
    dropped = k.number;
    bytes -= k.cost;
    return k;
  }

  /** What the kept events cost together now (see {@link #cost}). */
  long bytes() {
    synchronized (events) {
      return bytes;
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
        evictOldest();
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
      bytes = 0;
    }
    sessions.clear();
  }

  /** An event kept, with its number, when it was appended and what it is counted as taking. */
  private record Kept(long number, long appendedAt, Event event, long cost) {}

  private record Saved(byte[] record, long expiresAt) {}
}
