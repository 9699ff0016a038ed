package dev.zocket.client;

import java.util.Objects;

/**
 * What a fire-and-forget send (a {@code void} contract method) does while the client is not
 * connected: during the first connect, or between a dropped connection and the next successful
 * reconnect. Calls (methods with a reply) are never held back: they fail at once with {@link
 * dev.zocket.ErrorCodes#DISCONNECTED}. After the client is {@linkplain ZocketClient.State#CLOSED
 * closed}, every send fails with {@code DISCONNECTED} whatever the policy.
 *
 * <ul>
 *   <li>{@link #fail()} (the default): the send throws a {@link dev.zocket.ZocketException} with
 *       code {@code DISCONNECTED}; nothing is kept.
 *   <li>{@link #drop()}: the message is discarded and logged at debug.
 *   <li>{@link #buffer(int, Overflow)}: up to {@code max} encoded messages are kept and sent, in
 *       order, right after {@code onOpen} of the next connection has returned (so rooms are joined
 *       again first). When the buffer is full the {@link Overflow} decides. Messages still buffered
 *       when the client closes are discarded.
 * </ul>
 *
 * <p>Fire-and-forget has no acknowledgement: a message handed to a connection that is dropping at
 * that moment (before the client has noticed) is lost whatever the policy.
 *
 * <p>Immutable and thread-safe.
 */
public final class WhileDisconnected {
  /** What a full buffer does with one more message. */
  public enum Overflow {
    /** Discard the oldest buffered message (logged at warn) and keep the new one. */
    DROP_OLDEST,
    /** Keep the buffer, and fail the send with {@code DISCONNECTED}. */
    FAIL
  }

  enum Mode {
    FAIL,
    DROP,
    BUFFER
  }

  private static final WhileDisconnected FAIL = new WhileDisconnected(Mode.FAIL, 0, null);
  private static final WhileDisconnected DROP = new WhileDisconnected(Mode.DROP, 0, null);

  private final Mode mode;
  private final int max;
  private final Overflow overflow;

  private WhileDisconnected(Mode mode, int max, Overflow overflow) {
    this.mode = mode;
    this.max = max;
    this.overflow = overflow;
  }

  /** Throw {@code DISCONNECTED} from the send; the default. */
  public static WhileDisconnected fail() {
    return FAIL;
  }

  /** Discard the message silently (logged at debug). */
  public static WhileDisconnected drop() {
    return DROP;
  }

  /**
   * Keep up to {@code max} messages for the next connection.
   *
   * @param max the bound, at least 1
   * @param overflow what a full buffer does
   */
  public static WhileDisconnected buffer(int max, Overflow overflow) {
    Objects.requireNonNull(overflow, "overflow == null");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    return new WhileDisconnected(Mode.BUFFER, max, overflow);
  }

  Mode mode() {
    return mode;
  }

  int max() {
    return max;
  }

  Overflow overflow() {
    return overflow;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WhileDisconnected w
        && mode == w.mode
        && max == w.max
        && overflow == w.overflow;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, max, overflow);
  }

  @Override
  public String toString() {
    return switch (mode) {
      case FAIL -> "WhileDisconnected.fail()";
      case DROP -> "WhileDisconnected.drop()";
      case BUFFER -> "WhileDisconnected.buffer(" + max + ", " + overflow + ")";
    };
  }
}
