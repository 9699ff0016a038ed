package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs {@link SlowStreamExample} for two seconds. */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class SlowStreamExampleTest {
  @Test
  void theSlowConsumerGetsNoMoreThanItAskedForAndCallsAreAnsweredMeanwhile() throws Exception {
    SlowStreamExample.Report report = SlowStreamExample.run(Duration.ofSeconds(2), 10, null);
    assertThat(report.itemsReceived()).isPositive();
    assertThat(report.itemsReceived()).isLessThanOrEqualTo(report.itemsRequested());
    // The server's publisher was asked for no more than the subscriber requested: the credits.
    assertThat(report.serverAskedFor()).isLessThanOrEqualTo(report.itemsRequested());
    assertThat(report.callsAnswered()).isEqualTo(report.callsMade()).isEqualTo(2);
  }
}
