package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which recovery a server runs: without {@code recovery(...)} only the no-op one, whose events go
 * straight to the fan-out; with it, sessions only for the clients that ask.
 */
final class RecoveryWiringTest {
  private static final Resume ASKED = new Resume(true, null, null, null);

  @Test
  void withoutRecoveryOnlyTheNoOpRecoveryIsInUse() {
    ServerAssembly.Parts parts = ServerAssembly.assemble(Servers.standard(), Runnable::run);

    assertThat(parts.recovery()).isInstanceOf(NoRecovery.class);
    assertThat(parts.recovery().events()).isSameAs(parts.fanout());
    assertThat(parts.recovery().store()).isNull();
    assertThat(parts.recovery().link(Resume.NONE)).isInstanceOf(NoRecovery.Off.class);
    assertThat(parts.recovery().link(ASKED)).isInstanceOf(NoRecovery.Off.class);
  }

  @Test
  void withRecoveryOnlyClientsThatAskGetASession() {
    ServerAssembly.Parts parts =
        ServerAssembly.assemble(
            Servers.standard().recovery(Duration.ofSeconds(30), 100), Runnable::run);
    try {
      assertThat(parts.recovery()).isInstanceOf(SessionRecovery.class);
      assertThat(parts.recovery().events()).isSameAs(parts.recovery());
      assertThat(parts.recovery().link(Resume.NONE)).isInstanceOf(NoRecovery.Off.class);
      assertThat(parts.recovery().link(ASKED)).isInstanceOf(SessionLink.class);
    } finally {
      parts.recovery().store().close();
    }
  }
}
