package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {
  private final ReconnectPolicy policy =
      ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(5));

  @Test
  void delayDoublesUpToTheCapWithJitterInTheUpperHalf() {
    long[] bases = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (int attempt = 1; attempt <= bases.length; attempt++) {
      long base = bases[attempt - 1];
      assertThat(policy.delay(attempt, 0)).isEqualTo(Duration.ofMillis(base / 2));
      assertThat(policy.delay(attempt, 0.5)).isEqualTo(Duration.ofMillis(base * 3 / 4));
      assertThat(policy.delay(attempt, 0.999999))
          .isLessThan(Duration.ofMillis(base))
          .isGreaterThan(Duration.ofMillis(base * 99 / 100));
    }
  }

  @Test
  void lowerBoundsGrowAndNeverPassTheCap() {
    Duration previous = Duration.ZERO;
    for (int attempt = 1; attempt <= 200; attempt++) {
      Duration low = policy.delay(attempt, 0);
      Duration high = policy.delay(attempt, Math.nextDown(1.0));
      assertThat(low).isGreaterThanOrEqualTo(previous);
      assertThat(high).isLessThanOrEqualTo(Duration.ofSeconds(5));
      previous = low;
    }
    assertThat(policy.delay(Integer.MAX_VALUE, 0)).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void attemptsAreUnlimitedUntilLimited() {
    assertThat(policy.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
    assertThat(policy.withMaxAttempts(3).maxAttempts()).isEqualTo(3);
    assertThat(policy.withMaxAttempts(3).toString())
        .isEqualTo("ReconnectPolicy.exponential(PT0.1S, PT5S).withMaxAttempts(3)");
    assertThat(policy.isEnabled()).isTrue();
  }

  @Test
  void disabledNeverReconnects() {
    ReconnectPolicy off = ReconnectPolicy.disabled();
    assertThat(off.isEnabled()).isFalse();
    assertThat(off.toString()).isEqualTo("ReconnectPolicy.disabled()");
    assertThatThrownBy(() -> off.delay(1, 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> off.withMaxAttempts(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badValuesAreRejectedQuotingTheValue() {
    assertThatThrownBy(() -> ReconnectPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay must be positive: PT0S");
    assertThatThrownBy(
            () -> ReconnectPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("maxDelay must be at least initialDelay (PT2S): PT1S");
    assertThatThrownBy(() -> policy.withMaxAttempts(0))
        .hasMessage("maxAttempts must be at least 1: 0");
    assertThatThrownBy(() -> policy.delay(0, 0)).hasMessage("attempt must be at least 1: 0");
    assertThatThrownBy(() -> policy.delay(1, 1.0)).hasMessage("random must be in [0, 1): 1.0");
  }
}
