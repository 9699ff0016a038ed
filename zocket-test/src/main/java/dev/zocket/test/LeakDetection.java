package dev.zocket.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes Netty's leak reports fail tests: a leak detector factory (at level PARANOID) that records
 * every report of a buffer that was garbage collected without being released.
 *
 * <p>It must be installed before Netty creates its buffer leak detector, that is before the first
 * buffer of the JVM is allocated; a detector made earlier does not report here, and the check then
 * fails saying so. So every test class of a module that uses it installs it before it touches
 * Netty: as a JUnit 5 extension, which installs it before the class's tests and checks for leaks
 * after them,
 *
 * <pre>{@code
 * @ExtendWith(LeakDetection.class)
 * class ChatServerTest { ... }
 * }</pre>
 *
 * <p>or by hand, with {@link #install()} first and {@link #assertNoLeaks()} last.
 *
 * <p>A check collects garbage and then waits for a positive sign that the detector has looked at
 * what was collected: a buffer it leaks on purpose (the canary), reported like any other and then
 * left out of the reports. So the check does not depend on timing.
 */
public final class LeakDetection implements BeforeAllCallback, AfterAllCallback {
  private static final List<String> leaks = new CopyOnWriteArrayList<>();
  private static final AtomicLong canaries = new AtomicLong();

  /** How long a check waits for the report of its canary. */
  private static final Duration CANARY_TIMEOUT = Duration.ofSeconds(30);

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /**
   * The extension, made by JUnit for {@code @ExtendWith(LeakDetection.class)}; everything else is
   * static.
   */
  public LeakDetection() {}

  /** Installs the recording factory (once, by loading this class). */
  public static void install() {}

  /**
   * Collects garbage, lets the detector report what it found, and asserts it found nothing. The
   * reports are forgotten, so a leak fails the first check after it was reported, and only that
   * one.
   *
   * @throws AssertionError if a leak was reported, or if the detection was installed too late
   */
  public static void assertNoLeaks() {
    collect();
    assertThat(drain()).as("Netty leak reports").isEmpty();
  }

  /**
   * Collects garbage and lets the detector report what it found: leaks a canary buffer and collects
   * garbage until its report arrives, then allocates a little more, so that what was collected with
   * it is reported too. The canary's report is left out of {@link #drain()}.
   *
   * @throws AssertionError if the canary is not reported in time: the detection was installed after
   *     Netty created its buffer leak detector
   */
  public static void collect() {
    String hint = "zocket-leak-canary-" + canaries.incrementAndGet();
    leakCanary(hint);
    try {
      Await.until(
          "Netty to report the leak of the canary buffer: LeakDetection must be installed before"
              + " the JVM's first Netty buffer",
          CANARY_TIMEOUT,
          () -> {
            System.gc();
            allocate(16); // tracking a buffer reports the collected leaks
            return leaks.removeIf(report -> report.contains(hint));
          });
    } finally {
      leaks.removeIf(report -> report.contains(hint));
    }
    allocate(200);
  }

  /** Returns and forgets the reports recorded so far. */
  public static List<String> drain() {
    List<String> copy = List.copyOf(leaks);
    leaks.removeAll(copy);
    return copy;
  }

  /** Installs the detection before the tests of a class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  /** Fails the class if a leak was reported while it ran (or since the last check). */
  @Override
  public void afterAll(ExtensionContext context) {
    assertNoLeaks();
  }

  private static void leakCanary(String hint) {
    ByteBuf canary = ByteBufAllocator.DEFAULT.heapBuffer(8);
    canary.touch(hint); // never released, on purpose
  }

  private static void allocate(int times) {
    for (int i = 0; i < times; i++) {
      ByteBufAllocator.DEFAULT.buffer(16).release();
      Unpooled.directBuffer(16).release();
    }
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      return newResourceLeakDetector(resource, samplingInterval, Long.MAX_VALUE);
    }

    @Override
    @SuppressWarnings(
        "deprecation") // the maxActive constructor is the one the factory API hands us
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new ResourceLeakDetector<>(resource, samplingInterval, maxActive) {
        @Override
        protected void reportTracedLeak(String resourceType, String records) {
          leaks.add(resourceType + " leaked: " + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
          leaks.add(resourceType + " leaked (untraced)");
        }
      };
    }
  }
}
