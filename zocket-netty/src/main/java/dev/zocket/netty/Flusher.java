package dev.zocket.netty;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@link FrameWriter}s one I/O thread wrote to during its current pass: one task per pass
 * writes the room events held back for it ({@link RoomFrames}), then flushes each writer once,
 * queued behind every write task it is to flush, so that the frames of a fan-out go to each socket
 * in one flush (one gathering write with {@link SocketWrites}), then trims the thread's spare
 * {@link SocketWrites} to what the pass used and gives back the references of the frames the
 * sockets took ({@link PassReleases}). While the thread keeps more spares than {@link
 * SocketWrites#MIN_SPARE}, it looks every {@link #IDLE_TRIM_NANOS} whether a pass came since, and
 * trims them to that many if none did: a server that fell quiet after a burst keeps only those. One
 * per I/O thread, used on it only.
 */
final class Flusher implements Runnable {
  /** How long an I/O thread goes without a pass before its spare {@link SocketWrites} go. */
  private static final long IDLE_TRIM_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The writers of each I/O thread written to in its current pass, flushed at its end. */
  private static final FastThreadLocal<Flusher> FLUSHER =
      new FastThreadLocal<>() {
        @Override
        protected Flusher initialValue() {
          return new Flusher();
        }
      };

  private final ArrayList<FrameWriter> dirty = new ArrayList<>();
  private boolean scheduled;

  /** The thread's loop, as of its last pass: where the idle trim is scheduled. */
  private EventLoop loop;

  /** Passes run, and whether an idle trim is scheduled. */
  private long passes;

  private boolean trimScheduled;

  private Flusher() {}

  /**
   * On {@code loop}, the writer's I/O thread: flushes {@code w} once this pass ends. The writer
   * calls this once per pass, on its first write.
   */
  static void add(FrameWriter w, EventLoop loop) {
    FLUSHER.get().schedule(w, loop);
  }

  /**
   * On {@code loop}'s I/O thread: runs the end of the pass even if no writer was written to, for
   * the {@link RoomFrames} held back until then.
   */
  static void atPassEnd(EventLoop loop) {
    FLUSHER.get().schedule(loop);
  }

  private void schedule(FrameWriter w, EventLoop loop) {
    dirty.add(w);
    schedule(loop);
  }

  private void schedule(EventLoop loop) {
    if (!scheduled) {
      scheduled = true;
      this.loop = loop;
      try {
        loop.execute(this);
      } catch (RejectedExecutionException e) {
        run(); // the I/O thread is stopping: flush now
      }
    }
  }

  @Override
  public void run() {
    RoomFrames.writePending(); // adds their writers to the list
    for (int i = 0; i < dirty.size(); i++) { // a flush may add to the list
      dirty.get(i).flush();
    }
    SocketWrites.trimSpare(dirty.size());
    PassReleases.get().releaseAll();
    dirty.clear();
    scheduled = false;
    passes++;
    if (RoomFrames.holding()) {
      // Held during this run (a flush closed a connection whose handler sent to a room): they
      // would otherwise wait for the thread's next write.
      schedule(loop);
    }
    if (!trimScheduled && SocketWrites.spareCount() > SocketWrites.MIN_SPARE) {
      scheduleIdleTrim();
    }
  }

  private void scheduleIdleTrim() {
    long passesThen = passes;
    try {
      loop.schedule(() -> trimIfIdle(passesThen), IDLE_TRIM_NANOS, TimeUnit.NANOSECONDS);
      trimScheduled = true;
    } catch (RejectedExecutionException e) {
      // the I/O thread is stopping: its spares go with it
    }
  }

  /** Trims the spares if no pass came since {@code passesThen}, else looks again later. */
  private void trimIfIdle(long passesThen) {
    trimScheduled = false;
    if (passes == passesThen) {
      SocketWrites.trimSpare(0);
    } else if (SocketWrites.spareCount() > SocketWrites.MIN_SPARE) {
      scheduleIdleTrim();
    }
  }
}
