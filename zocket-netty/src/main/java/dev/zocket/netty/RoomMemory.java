package dev.zocket.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The room memory budget ({@link ZocketServer.Builder#maxRoomMemory}): what rooms, memberships and
 * what recovery keeps of them (parked sessions, the joins and leaves of a session) take of the
 * heap, as counted, against the most they may take together. Thread-safe, lock-free.
 */
final class RoomMemory {
  private final long max;
  private final AtomicLong used = new AtomicLong();

  RoomMemory(long max) {
    this.max = max;
  }

  /**
   * Takes {@code bytes} of the budget; give them back with {@link #release}.
   *
   * @return whether the budget had room (nothing is taken when it had not)
   */
  boolean reserve(long bytes) {
    if (used.addAndGet(bytes) > max) {
      used.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #reserve} took. */
  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** The bytes taken of the budget now. */
  long used() {
    return used.get();
  }
}
