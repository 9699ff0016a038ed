package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The references to shared frames that the sockets of one I/O thread's pass have written, given
 * back together when the pass ends ({@link Flusher}): a fan-out's frame written to 500 sockets is
 * released once by 500 instead of 500 times by one, as {@link Fanout} takes them. Connections of a
 * fan-out get the same frames in the same order, so a frame is looked for where the previous
 * connection had it (its place in the connection's write); a frame not found there gets a place of
 * its own, and once {@link #MAX_FRAMES} frames wait, the next are released at once. Frames stay
 * allocated until the pass ends, never longer. One per I/O thread, used on it only.
 */
final class PassReleases {
  private static final FastThreadLocal<PassReleases> RELEASES =
      new FastThreadLocal<>() {
        @Override
        protected PassReleases initialValue() {
          return new PassReleases();
        }
      };

  /** At most this many distinct frames wait for the end of the pass. */
  static final int MAX_FRAMES = 1024;

  private ByteBuf[] frames = new ByteBuf[16];
  private int[] counts = new int[16];
  private int size;

  private PassReleases() {}

  /** This I/O thread's releases. */
  static PassReleases get() {
    return RELEASES.get();
  }

  /**
   * Gives back one reference to a frame when the pass ends; {@code place} is where it was among the
   * frames of the connection's write, where it is looked for first.
   */
  void release(ByteBuf frame, int place) {
    if (place < size && frames[place] == frame) {
      counts[place]++;
      return;
    }
    if (size > 0 && frames[size - 1] == frame) {
      counts[size - 1]++;
      return;
    }
    if (size == MAX_FRAMES) {
      frame.release();
      return;
    }
    if (size == frames.length) {
      frames = Arrays.copyOf(frames, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    frames[size] = frame;
    counts[size++] = 1;
  }

  /** Gives back every reference kept: the end of the pass. */
  void releaseAll() {
    for (int i = 0; i < size; i++) {
      ByteBuf f = frames[i];
      frames[i] = null;
      f.release(counts[i]);
    }
    size = 0;
  }
}
