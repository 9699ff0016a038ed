package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.spi.Target;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  private static final byte[] FRAME =
      "{\"type\":\"chatev.onMessage\",\"payload\":\"é\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void roundTripsEveryField() {
    Target target = new Target(Target.Kind.ROOMS, List.of("a", "bé"), List.of("node1.x"));
    byte[] bytes = Envelope.encode("node0", 42, target, FRAME);

    assertThat(Envelope.origin(bytes)).isEqualTo("node0");
    Envelope e = Envelope.decode(bytes);
    assertThat(e.origin).isEqualTo("node0");
    assertThat(e.id).isEqualTo(42);
    assertThat(e.target).isEqualTo(target);
    assertThat(e.frame).isEqualTo(FRAME);
  }

  @Test
  void everyoneWithoutIds() {
    Target target = new Target(Target.Kind.EVERYONE, List.of(), List.of());
    Envelope e = Envelope.decode(Envelope.encode("n", 0, target, FRAME));
    assertThat(e.target).isEqualTo(target);
    assertThat(e.frame).isEqualTo(FRAME);
  }

  @Test
  void rejectsWhatIsNotAnEnvelope() {
    byte[] good =
        Envelope.encode(
            "node0", 1, new Target(Target.Kind.CLIENTS, List.of("x"), List.of()), FRAME);
    assertThat(Envelope.decode(new byte[0])).isNull();
    assertThat(Envelope.origin(new byte[0])).isNull();
    assertThat(Envelope.decode("hello".getBytes(StandardCharsets.US_ASCII))).isNull();
    byte[] badVersion = good.clone();
    badVersion[0] = 2;
    assertThat(Envelope.decode(badVersion)).isNull();
    assertThat(Envelope.origin(badVersion)).isNull();
    byte[] badKind = good.clone();
    badKind[1] = 7;
    assertThat(Envelope.decode(badKind)).isNull();
    for (int cut = 1; cut < 30; cut++) { // truncated inside the header
      assertThat(Envelope.decode(Arrays.copyOf(good, cut))).as("cut at %s", cut).isNull();
    }
    byte[] hugeCount = good.clone();
    hugeCount[2] = 0x7f; // origin length
    assertThat(Envelope.decode(hugeCount)).isNull();
    assertThat(Envelope.origin(hugeCount)).isNull();
  }

  @Test
  void recentIdsForgetTheOldest() {
    RecentIds ids = new RecentIds(2);
    assertThat(ids.add("a", 1)).isTrue();
    assertThat(ids.add("a", 1)).isFalse();
    assertThat(ids.add("b", 1)).isTrue();
    assertThat(ids.add("a", 2)).isTrue();
    assertThat(ids.add("a", 1)).isTrue(); // forgotten
  }
}
