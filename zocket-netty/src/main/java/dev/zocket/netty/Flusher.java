package dev.zocket.netty;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The {@link FrameWriter}s one I/O thread wrote to during its current pass: one task per pass
 * flushes each of them once, queued behind every write task it is to flush, so that the frames of a
 * fan-out go to each socket in one flush (one gathering write with {@link SocketWrites}), then
 * trims the thread's spare {@link SocketWrites} to what the pass used and gives back the references
 * of the frames the sockets took ({@link PassReleases}). One per I/O thread, used on it only.
 */
final class Flusher implements Runnable {
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

  private Flusher() {}

  /**
   * On {@code loop}, the writer's I/O thread: flushes {@code w} once this pass ends. The writer
   * calls this once per pass, on its first write.
   */
  static void add(FrameWriter w, EventLoop loop) {
    FLUSHER.get().schedule(w, loop);
  }

  private void schedule(FrameWriter w, EventLoop loop) {
    dirty.add(w);
    if (!scheduled) {
      scheduled = true;
      try {
        loop.execute(this);
      } catch (RejectedExecutionException e) {
        run(); // the I/O thread is stopping: flush now
      }
    }
  }

  @Override
  public void run() {
    for (int i = 0; i < dirty.size(); i++) { // a flush may add to the list
      dirty.get(i).flush();
    }
    SocketWrites.trimSpare(dirty.size());
    PassReleases.get().releaseAll();
    dirty.clear();
    scheduled = false;
  }
}
