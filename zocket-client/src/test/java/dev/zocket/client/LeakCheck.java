package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class when Netty reports a leaked buffer. Reports come through SLF4J when a leaked
 * buffer is collected and a later allocation looks at the reference queue, so after the class the
 * check collects garbage and allocates a few times before reading what was logged.
 */
final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
  private static final ListAppender<ILoggingEvent> REPORTS = new ListAppender<>();

  static {
    Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    REPORTS.start();
    logger.addAppender(REPORTS);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(20);
      ByteBufAllocator.DEFAULT.buffer(16).release();
      ByteBufAllocator.DEFAULT.directBuffer(16).release();
      Unpooled.buffer(16).release();
    }
    List<String> leaks;
    synchronized (REPORTS) {
      leaks = REPORTS.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      REPORTS.list.clear();
    }
    assertThat(leaks).as("Netty leak reports").isEmpty();
  }
}
