package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class RateLimitedLogTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(42 * SECOND);
  private final Recorder recorder = new Recorder();

  /** A line as the logger received it. */
  private record Line(Level level, String text, Throwable thrown) {
    @Override
    public String toString() {
      return level + " " + text + (thrown == null ? "" : " !" + thrown.getMessage());
    }
  }

  /** A logger at debug that keeps every line; thread-safe. */
  private static final class Recorder extends AbstractLogger {
    private static final long serialVersionUID = 1L;

    final List<Line> lines = new ArrayList<>();

    Recorder() {
      this.name = "recorder";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected synchronized void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      lines.add(new Line(level, MessageFormatter.basicArrayFormat(pattern, arguments), throwable));
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }

  private RateLimitedLog limited(int lines) {
    return new RateLimitedLog(recorder, lines, 60 * SECOND, clock::get);
  }

  @Test
  void logsTheFirstLinesOfAnIntervalInFullAndTheRestAtDebug() {
    RateLimitedLog log = limited(2);
    for (int i = 1; i <= 5; i++) {
      log.error("Handler {} failed", i, new IllegalStateException("boom " + i));
    }

    assertThat(recorder.lines)
        .extracting(Line::toString)
        .containsExactly(
            "ERROR Handler 1 failed !boom 1",
            "ERROR Handler 2 failed !boom 2",
            "DEBUG Handler 3 failed !boom 3",
            "DEBUG Handler 4 failed !boom 4",
            "DEBUG Handler 5 failed !boom 5");
  }

  @Test
  void theNextIntervalsFirstLineSaysHowManyWentToDebug() {
    RateLimitedLog log = limited(1);
    log.warn("Closing {}", "a", new IllegalStateException("first"));
    log.warn("Closing {}", "b", new IllegalStateException("second"));
    log.warn("Closing {}", "c", new IllegalStateException("third"));
    clock.addAndGet(59 * SECOND);
    log.warn("Closing {}", "d", new IllegalStateException("fourth"));
    clock.addAndGet(SECOND);
    log.warn("Closing {}", "e", new IllegalStateException("fifth"));
    clock.addAndGet(60 * SECOND);
    log.warn("Closing {}", "f");

    assertThat(recorder.lines)
        .extracting(Line::toString)
        .containsExactly(
            "WARN Closing a !first",
            "DEBUG Closing b !second",
            "DEBUG Closing c !third",
            "DEBUG Closing d !fourth",
            "WARN Closing e (3 more like it since the previous one were logged at debug only)"
                + " !fifth",
            "WARN Closing f");
  }

  @Test
  void eachInstanceHasItsOwnBudget() {
    RateLimitedLog one = limited(1);
    RateLimitedLog other = limited(1);
    one.info("one");
    one.info("one again");
    other.info("other");

    assertThat(recorder.lines)
        .extracting(Line::toString)
        .containsExactly("INFO one", "DEBUG one again", "INFO other");
  }

  @Test
  void manyThreadsTogetherGetNoMoreThanTheBudget() throws InterruptedException {
    RateLimitedLog log = limited(10);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 1_000; i++) {
                  log.error("failed", new IllegalStateException());
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join(10_000);
    }

    synchronized (recorder) {
      assertThat(recorder.lines).hasSize(8_000);
      assertThat(recorder.lines.stream().filter(l -> l.level() == Level.ERROR)).hasSize(10);
    }
  }
}
