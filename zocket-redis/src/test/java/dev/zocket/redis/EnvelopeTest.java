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
    assertThat(e.epoch).isZero();
    assertThat(e.seq).isZero();
  }

  @Test
  void numberingWritesTheEpochAndSequenceInPlace() {
    Target target = new Target(Target.Kind.ROOMS, List.of("a"), List.of());
    byte[] bytes = Envelope.encode("nœud", 7, target, FRAME);
    Envelope.number(bytes, "nœud".getBytes(StandardCharsets.UTF_8).length, 1L << 60, 123);

    Envelope e = Envelope.decode(bytes);
    assertThat(e.origin).isEqualTo("nœud");
    assertThat(e.epoch).isEqualTo(1L << 60);
    assertThat(e.seq).isEqualTo(123);
    assertThat(e.id).isEqualTo(7);
    assertThat(e.target).isEqualTo(target);
    assertThat(e.frame).isEqualTo(FRAME);
  }

  @Test
  void arrivalsCountTheNumbersThatSkip() {
    Arrivals arrivals = new Arrivals();
    assertThat(arrivals.arrived("c", "a", 5, 10)).as("the first sets the start").isZero();
    assertThat(arrivals.arrived("c", "a", 5, 11)).isZero();
    assertThat(arrivals.arrived("c", "a", 5, 15)).as("12, 13, 14").isEqualTo(3);
    assertThat(arrivals.arrived("c", "a", 5, 14))
        .as("late: counted, dropped")
        .isEqualTo(Arrivals.SEEN);
    assertThat(arrivals.arrived("c", "a", 5, 15)).as("a copy").isEqualTo(Arrivals.SEEN);
    assertThat(arrivals.arrived("c", "a", 4, 99)).as("an older epoch").isEqualTo(Arrivals.SEEN);
    assertThat(arrivals.arrived("c", "a", 5, 16)).isZero();
    assertThat(arrivals.arrived("c", "a", 6, 3)).as("a new epoch: 1 and 2 lost").isEqualTo(2);
    assertThat(arrivals.arrived("c", "b", 1, 50)).as("another origin").isZero();
    assertThat(arrivals.arrived("d", "a", 6, 9)).as("another channel").isZero();

    arrivals.forget("c");
    assertThat(arrivals.arrived("c", "a", 6, 20)).as("counted afresh").isZero();
    assertThat(arrivals.arrived("c", "a", 6, 22)).isEqualTo(1);
  }

  @Test
  void arrivalsRememberABoundedNumberOfOrigins() {
    Arrivals arrivals = new Arrivals();
    for (int i = 0; i <= Arrivals.MAX_ORIGINS; i++) {
      arrivals.arrived("c", "n" + i, 1, 1);
    }
    assertThat(arrivals.arrived("c", "n0", 1, 5)).as("n0 was forgotten: a new start").isZero();
    assertThat(arrivals.arrived("c", "n" + Arrivals.MAX_ORIGINS, 1, 5)).isEqualTo(3);
  }

  @Test
  void sequencesCountPerChannelInGrowingEpochs() {
    Sequences sequences = new Sequences();
    Sequences.Count a = sequences.of("a");
    Sequences.Count b = sequences.of("b");
    synchronized (a) {
      assertThat(a.next()).isEqualTo(1);
      assertThat(a.next()).isEqualTo(2);
    }
    synchronized (b) {
      assertThat(b.next()).isEqualTo(1);
    }
    assertThat(sequences.of("a")).isSameAs(a);
    assertThat(b.epoch).isGreaterThan(a.epoch);
    assertThat(a.epoch).isGreaterThan(System.currentTimeMillis() * 1_000_000L - 60_000_000_000L);
    for (int i = 0; i < Sequences.MAX_CHANNELS; i++) {
      sequences.of("room" + i);
    }
    Sequences.Count again = sequences.of("a");
    assertThat(again).as("forgotten past the bound").isNotSameAs(a);
    assertThat(again.epoch).isGreaterThan(b.epoch);
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
    badVersion[0] = 1; // a node of the first version
    assertThat(Envelope.decode(badVersion)).isNull();
    assertThat(Envelope.origin(badVersion)).isNull();
    byte[] badKind = good.clone();
    badKind[1] = 7;
    assertThat(Envelope.decode(badKind)).isNull();
    for (int cut = 1; cut < 46; cut++) { // truncated inside the header
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
