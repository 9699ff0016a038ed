package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which announced versions the server takes for its own protocol (and does not log). */
class ProtocolVersionTest {
  @Test
  void versionOneItsMinorVersionsAndTheTypeScriptLibrarysStringAreSpoken() {
    assertThat(Protocol.speaks("1")).isTrue();
    assertThat(Protocol.speaks("1.2")).isTrue();
    assertThat(Protocol.speaks("0.1.0")).isTrue();
  }

  @Test
  void otherVersionsAreNot() {
    assertThat(Protocol.speaks("2")).isFalse();
    assertThat(Protocol.speaks("0.1")).isFalse();
    assertThat(Protocol.speaks("0.2.0")).isFalse();
    assertThat(Protocol.speaks("10")).isFalse();
  }
}
