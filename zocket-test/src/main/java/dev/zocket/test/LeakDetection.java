package dev.zocket.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes Netty's leak reports fail tests: a leak detector factory (at level PARANOID) that records
 * every report. It must be installed before Netty creates its buffer leak detector, so every test
 * calls {@link #install()} before it touches Netty. Shared by the test suites of the Zocket modules;
 * not published.
 */
public final class LeakDetection {
  private static final List<String> leaks = new CopyOnWriteArrayList<>();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  private LeakDetection() {}

  /** Installs the recording factory (once, by loading this class). */
  public static void install() {}

  /** Collects garbage, lets the detector report what it found, and asserts it found nothing. */
  public static void assertNoLeaks() {
    collect();
    assertThat(leaks).as("Netty leak reports").isEmpty();
  }

  /** Collects garbage and lets the detector report what it found. */
  public static void collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      for (int j = 0; j < 200; j++) {
        ByteBufAllocator.DEFAULT.buffer(16).release(); // tracking a buffer reports collected leaks
        Unpooled.directBuffer(16).release();
      }
    }
  }

  /** Returns and forgets the reports recorded so far. */
  public static List<String> drain() {
    List<String> copy = List.copyOf(leaks);
    leaks.removeAll(copy);
    return copy;
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
