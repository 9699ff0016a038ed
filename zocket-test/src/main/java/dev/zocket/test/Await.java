package dev.zocket.test;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits in a test for something another thread makes true: polls a condition, quickly at first and
 * then every 50 ms, until it holds or a timeout passes, and fails the test with what was awaited;
 * or takes what another thread hands over through a queue, as soon as it is there.
 *
 * <p>Only for waiting until something <em>happens</em>. To show that something did not happen, make
 * something that must come after it happen (a marker message) and wait for that instead.
 *
 * <pre>{@code
 * Await.until("alice joined", () -> server.connectionCount() == 1);
 * }</pre>
 */
public final class Await {
  /** How long the methods without a timeout wait: 10 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private Await() {}

  /**
   * Waits until {@code condition} is true, for at most {@link #DEFAULT_TIMEOUT}.
   *
   * @param what what is awaited, for the failure message
   * @param condition the condition, asked until true
   * @throws AssertionError if it is still false after the timeout
   */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT_TIMEOUT, condition);
  }

  /**
   * Waits until {@code condition} is true, for at most {@code timeout}. The condition is asked on
   * the calling thread, once at once and then again after pauses growing from 1 to 50 ms.
   *
   * @param what what is awaited, for the failure message
   * @param timeout how long to wait at most
   * @param condition the condition, asked until true
   * @throws AssertionError if it is still false after the timeout
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    Objects.requireNonNull(condition, "condition == null");
    value(what, timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /**
   * Takes the head of {@code queue}, waiting for one for at most {@link #DEFAULT_TIMEOUT}: for what
   * another thread hands over, such as the messages a test client receives.
   *
   * <pre>{@code
   * assertThat(Await.next("a message", client.messages)).isEqualTo("hello");
   * }</pre>
   *
   * @param what what is awaited, for the failure message
   * @param <T> the type of the value
   * @param queue the queue to take from
   * @return the head of the queue
   * @throws AssertionError if the queue is still empty after the timeout
   */
  public static <T> T next(String what, BlockingQueue<T> queue) {
    return next(what, DEFAULT_TIMEOUT, queue);
  }

  /**
   * Takes the head of {@code queue}, waiting for one for at most {@code timeout}.
   *
   * @param what what is awaited, for the failure message
   * @param <T> the type of the value
   * @param timeout how long to wait at most
   * @param queue the queue to take from
   * @return the head of the queue
   * @throws AssertionError if the queue is still empty after the timeout
   */
  public static <T> T next(String what, Duration timeout, BlockingQueue<T> queue) {
    Objects.requireNonNull(what, "what == null");
    Objects.requireNonNull(queue, "queue == null");
    try {
      T head = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (head == null) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      return head;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for: " + what, e);
    }
  }

  /**
   * Waits until {@code supplier} returns something other than null, for at most {@link
   * #DEFAULT_TIMEOUT}, and returns it.
   *
   * @param <T> the type of the value
   * @param what what is awaited, for the failure message
   * @param supplier supplies the value, or null while not there
   * @return the first non-null value
   * @throws AssertionError if it still returns null after the timeout
   */
  public static <T> T value(String what, Supplier<T> supplier) {
    return value(what, DEFAULT_TIMEOUT, supplier);
  }

  /**
   * Waits until {@code supplier} returns something other than null, for at most {@code timeout},
   * and returns it.
   *
   * @param <T> the type of the value
   * @param what what is awaited, for the failure message
   * @param timeout how long to wait at most
   * @param supplier supplies the value, or null while not there
   * @return the first non-null value
   * @throws AssertionError if it still returns null after the timeout
   */
  public static <T> T value(String what, Duration timeout, Supplier<T> supplier) {
    Objects.requireNonNull(what, "what == null");
    Objects.requireNonNull(supplier, "supplier == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    while (true) {
      T value = supplier.get();
      if (value != null) {
        return value;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
      }
      LockSupport.parkNanos(Math.min(pause, left));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for: " + what);
      }
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
  }
}
