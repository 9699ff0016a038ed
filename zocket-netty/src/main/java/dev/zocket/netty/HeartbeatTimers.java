package dev.zocket.netty;

import dev.zocket.internal.RateLimitedLog;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Heartbeat} timers of one I/O thread: its connections' heartbeats in a binary heap by
 * the time each is due, and one task scheduled on the thread for the earliest, instead of a
 * scheduled task per connection (an idle connection then costs a slot of the heap and two fields of
 * its heartbeat rather than a 64-byte task and its place in the thread's queue). Each heartbeat
 * still fires at the time it asked for, as a task of its own would: when the thread's task runs,
 * every heartbeat due by then fires, earliest first.
 *
 * <p>One instance per I/O thread while it has heartbeats; it is dropped when its last one stops.
 *
 * <p>Threading: confined to its I/O thread (the heartbeats' own).
 */
final class HeartbeatTimers implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatTimers.class);

  /** A heartbeat that threw: logged, and the thread's other heartbeats fire as due. */
  private static final RateLimitedLog failures = new RateLimitedLog(log);

  /** Per thread: the timers of each executor it runs (one, except for embedded test channels). */
  private static final FastThreadLocal<Map<EventExecutor, HeartbeatTimers>> BY_EXECUTOR =
      new FastThreadLocal<>() {
        @Override
        protected Map<EventExecutor, HeartbeatTimers> initialValue() {
          return new IdentityHashMap<>();
        }
      };

  private final EventExecutor loop;

  /** The heap: {@code heap[i].due} is never earlier than that of its parent {@code (i - 1) / 2}. */
  private Heartbeat[] heap = new Heartbeat[16];

  private int size;

  /** The task scheduled for the earliest heartbeat, and when it is due; null when none is. */
  private ScheduledFuture<?> task;

  private long taskDue;

  /** Set while the task fires heartbeats: those they schedule again wait for its end. */
  private boolean firing;

  private HeartbeatTimers(EventExecutor loop) {
    this.loop = loop;
  }

  /** The timers of an executor; on its thread. */
  static HeartbeatTimers of(EventExecutor loop) {
    return BY_EXECUTOR.get().computeIfAbsent(loop, HeartbeatTimers::new);
  }

  /** Makes a heartbeat, not scheduled now, due at {@code due} ({@code nanoTime}). */
  void schedule(Heartbeat h, long due, long now) {
    h.due = due;
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    h.slot = size;
    heap[size++] = h;
    up(h.slot);
    if (!firing && (task == null || due - taskDue < 0)) {
      reschedule(now);
    }
  }

  /** Stops a heartbeat's timer, if it is scheduled. */
  void cancel(Heartbeat h) {
    int i = h.slot;
    if (i < 0) {
      return;
    }
    h.slot = -1;
    Heartbeat last = heap[--size];
    heap[size] = null;
    if (i < size) {
      heap[i] = last;
      last.slot = i;
      down(i);
      up(last.slot);
    }
    if (size == 0 && !firing) {
      if (task != null) {
        task.cancel(false);
        task = null;
      }
      BY_EXECUTOR.get().remove(loop);
    }
  }

  /** The task: fires every heartbeat that is due, then waits for the next. */
  @Override
  public void run() {
    task = null;
    long now = System.nanoTime();
    firing = true;
    try {
      while (size > 0 && heap[0].due - now <= 0) {
        Heartbeat h = heap[0];
        cancel(h);
        try {
          h.fire(now);
        } catch (RuntimeException e) {
          failures.warn("A connection's heartbeat failed", e);
        }
      }
    } finally {
      firing = false;
    }
    if (size > 0) {
      reschedule(now);
    } else {
      BY_EXECUTOR.get().remove(loop);
    }
  }

  private void reschedule(long now) {
    if (task != null) {
      task.cancel(false);
    }
    taskDue = heap[0].due;
    task = loop.schedule(this, Math.max(0, taskDue - now), TimeUnit.NANOSECONDS);
  }

  private void up(int i) {
    Heartbeat h = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Heartbeat p = heap[parent];
      if (h.due - p.due >= 0) {
        break;
      }
      heap[i] = p;
      p.slot = i;
      i = parent;
    }
    heap[i] = h;
    h.slot = i;
  }

  private void down(int i) {
    Heartbeat h = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].due - heap[child].due < 0) {
        child = right;
      }
      if (heap[child].due - h.due >= 0) {
        break;
      }
      heap[i] = heap[child];
      heap[i].slot = i;
      i = child;
    }
    heap[i] = h;
    h.slot = i;
  }
}
