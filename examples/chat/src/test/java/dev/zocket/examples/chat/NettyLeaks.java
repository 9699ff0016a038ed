package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Makes Netty's leak reports fail the chat tests. Netty logs a leak at ERROR on the {@code
 * ResourceLeakDetector} logger when it finds a collected buffer that was never released (the parent
 * POM runs tests at PARANOID level, so every buffer is tracked); this records those reports.
 */
final class NettyLeaks {
  private static final ListAppender<ILoggingEvent> reports = new ListAppender<>();

  static {
    reports.start();
    ((Logger) LoggerFactory.getLogger(ResourceLeakDetector.class)).addAppender(reports);
  }

  private NettyLeaks() {}

  /** Starts recording (once, by loading this class). */
  static void install() {}

  /** Collects garbage, lets the detector report what it found, and asserts it found nothing. */
  static void assertNone() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      for (int j = 0; j < 200; j++) {
        ByteBufAllocator.DEFAULT.buffer(16).release(); // tracking a buffer reports collected leaks
        Unpooled.directBuffer(16).release();
      }
    }
    List<String> leaks;
    synchronized (reports) { // the appender appends under its own lock
      leaks = reports.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
    assertThat(leaks).as("Netty leak reports").isEmpty();
  }
}
