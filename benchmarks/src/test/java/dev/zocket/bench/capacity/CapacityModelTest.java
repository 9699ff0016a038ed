package dev.zocket.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zocket.bench.capacity.CapacityModel.Check;
import dev.zocket.bench.capacity.CapacityModel.Fit;
import dev.zocket.bench.capacity.CapacityModel.Input;
import dev.zocket.bench.capacity.CapacityModel.Placement;
import dev.zocket.bench.capacity.CapacityModel.Plan;
import dev.zocket.bench.capacity.CapacityModel.RedisCosts;
import dev.zocket.bench.capacity.CapacityModel.ServerCosts;
import dev.zocket.bench.capacity.CapacityModel.Use;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The capacity model's arithmetic, and its constants against the measured results file they come
 * from: the fit of the file gives the constants in the code, and the model's server CPU for the
 * three-node runs (not used by the fit) is within 25 % of the measurement.
 */
class CapacityModelTest {
  /** The runs the constants come from (run-load.sh --out; see CapacityModel's fields). */
  static final List<Path> RESULTS = List.of(Path.of("results/capacity-2026-12-06-paced.jsonl"));

  private static Input input(long connections, long rooms, int size, double rate, int nodes) {
    return new Input(
        connections,
        rooms,
        size,
        rate,
        200,
        16,
        nodes,
        Placement.RANDOM,
        8,
        16.0 * (1L << 30),
        10e9,
        0.7);
  }

  @Test
  void nodesAMessageReaches() {
    assertThat(CapacityModel.nodesPerMessage(1, 500, Placement.RANDOM)).isEqualTo(1);
    assertThat(CapacityModel.nodesPerMessage(3, 500, Placement.EVEN)).isEqualTo(3);
    assertThat(CapacityModel.nodesPerMessage(10, 4, Placement.EVEN)).isEqualTo(4);
    assertThat(CapacityModel.nodesPerMessage(10, 500, Placement.GROUPED)).isEqualTo(1);
    // A room of one reaches only its own node; a room much larger than the cluster reaches all.
    assertThat(CapacityModel.nodesPerMessage(10, 1, Placement.RANDOM)).isEqualTo(1);
    assertThat(CapacityModel.nodesPerMessage(10, 1000, Placement.RANDOM))
        .isCloseTo(10, within(1e-6));
    // Two members on two nodes: the other member is on the other node half the time.
    assertThat(CapacityModel.nodesPerMessage(2, 2, Placement.RANDOM)).isCloseTo(1.5, within(1e-9));
  }

  @Test
  void trafficIsRoomsTimesRateTimesSize() {
    Plan p = CapacityModel.plan(input(1_000_000, 100_000, 10, 2, 4));
    assertThat(p.messagesPerS()).isEqualTo(200_000);
    assertThat(p.deliveriesPerS()).isEqualTo(2_000_000);
    assertThat(p.nodes()).isEqualTo(4);
    RedisCosts r = CapacityModel.MEASURED.redis();
    ServerCosts c = CapacityModel.MEASURED.server();
    double k = CapacityModel.nodesPerMessage(4, 10, Placement.RANDOM);
    // A room of 10 on 4 nodes: fewer than 8 members per event loop, and at 2 messages a second a
    // connection's frames never share a write call.
    double b = CapacityModel.framesPerWrite(c, 2, 1);
    assertThat(b).isEqualTo(1);
    assertThat(p.serverCores())
        .isCloseTo(
            200_000
                * (c.messageNs()
                    + c.publishNs()
                    + (k - 1) * c.receiveNs()
                    + 10 * (c.deliveryNs() + c.writeNs() / b))
                / 1e9,
            within(1e-9));
    assertThat(p.redisCores())
        .isCloseTo(r.baseCores() + 200_000 * (r.inNs() + k * r.outNs()) / 1e9, within(1e-9));
  }

  @Test
  void framesShareAWriteCallOnlyOnceTheLoopIsNeverIdle() {
    ServerCosts c = new ServerCosts(10_000, 0, 0, 100, 5_000);
    // 500 members on a loop: one message alone takes 10 + 500 · 5.1 µs = 2.56 ms.
    assertThat(CapacityModel.framesPerWrite(c, 1, 500)).isEqualTo(1);
    assertThat(CapacityModel.framesPerWrite(c, 390, 500)).isEqualTo(1);
    double last = 1;
    for (double rate : new double[] {400, 1_000, 5_000, 15_000}) {
      double b = CapacityModel.framesPerWrite(c, rate, 500);
      assertThat(b).isGreaterThan(last);
      // The loop busy all the time: rate · (time per message at that b) = 1.
      double perMessage = (c.messageNs() + 500 * (c.deliveryNs() + c.writeNs() / b)) / 1e9;
      assertThat(rate * perMessage).isCloseTo(1, within(1e-9));
      last = b;
    }
    // 20,000 messages a second cost the loop 1.2 s per second before any write call.
    assertThat(CapacityModel.framesPerWrite(c, 20_000, 500)).isInfinite();
  }

  @Test
  void oneNodeHasNoRedis() {
    Plan p = CapacityModel.plan(input(1000, 100, 10, 1, 1));
    assertThat(p.redisCores()).isZero();
    assertThat(p.redisShards()).isZero();
    assertThat(p.uses()).extracting(Use::name).noneMatch(n -> n.startsWith("Redis"));
  }

  @Test
  void theFewestNodesThatFit() {
    Input in = input(2_000_000, 200_000, 10, 1, 0);
    Plan p = CapacityModel.plan(in);
    assertThat(p.nodes()).isGreaterThan(1);
    assertThat(p.uses()).filteredOn(u -> u.name().startsWith("node")).allMatch(u -> u.share() <= 1);
    Plan fewer = CapacityModel.planAt(in, p.nodes() - 1);
    assertThat(fewer.uses())
        .filteredOn(u -> u.name().startsWith("node"))
        .anyMatch(u -> u.share() > 1);
  }

  @Test
  void namesTheFirstLimit() {
    // Idle connections: memory runs out first.
    Plan idle = CapacityModel.plan(input(2_000_000, 0, 10, 0, 2));
    assertThat(idle.firstLimit().name()).isEqualTo("node memory");
    // Large events: 10 rooms of 100 at 50 messages a second, 16,000 bytes each, fill one node's
    // 10 Gbit/s (6.5 Gbit/s of the 7 planned) with half a core of CPU.
    Plan wide =
        CapacityModel.plan(
            new Input(
                1_000,
                10,
                100,
                50,
                16_000,
                16,
                1,
                Placement.RANDOM,
                8,
                16.0 * (1L << 30),
                10e9,
                0.7));
    assertThat(wide.firstLimit().name()).isEqualTo("node network");
    // Busy small rooms of 50-byte events on one node: 5 M deliveries a second, CPU first.
    Plan busy =
        CapacityModel.plan(
            new Input(
                100_000,
                10_000,
                10,
                50,
                50,
                16,
                1,
                Placement.RANDOM,
                8,
                16.0 * (1L << 30),
                10e9,
                0.7));
    assertThat(busy.firstLimit().name()).isEqualTo("node CPU");
    // A million messages a second across nodes: one Redis is not enough, and the plan says how
    // many shards would be.
    Plan redis = CapacityModel.plan(input(1_000_000, 100_000, 10, 10, 0));
    assertThat(redis.firstLimit().name()).startsWith("Redis shard");
    assertThat(redis.redisShards()).isGreaterThan(1);
    // The first limit is the use with the largest share of its budget.
    for (Plan p : List.of(idle, wide, busy, redis)) {
      assertThat(p.uses()).allMatch(u -> u.share() <= p.firstLimit().share());
    }
  }

  @Test
  void rejectsBadOptions() {
    assertThatThrownBy(() -> CapacityCli.input(Map.of("bogus", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bogus");
    assertThatThrownBy(() -> CapacityCli.input(Map.of("headroom", "2")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConstantsAreTheFitOfTheResultsFile() throws Exception {
    Fit measured = CapacityModel.MEASURED;
    Fit fitted = CapacityModel.fit(CapacityModel.cases(RESULTS), measured.redis().eventBytes());
    ServerCosts want = measured.server();
    ServerCosts got = fitted.server();
    assertThat(got.messageNs()).isCloseTo(want.messageNs(), within(1.0));
    assertThat(got.publishNs()).isCloseTo(want.publishNs(), within(1.0));
    assertThat(got.receiveNs()).isCloseTo(want.receiveNs(), within(1.0));
    assertThat(got.deliveryNs()).isCloseTo(want.deliveryNs(), within(0.1));
    assertThat(got.writeNs()).isCloseTo(want.writeNs(), within(1.0));
    RedisCosts wantRedis = measured.redis();
    RedisCosts gotRedis = fitted.redis();
    assertThat(gotRedis.baseCores()).isCloseTo(wantRedis.baseCores(), within(0.0001));
    assertThat(gotRedis.inNs()).isCloseTo(wantRedis.inNs(), within(1.0));
    assertThat(gotRedis.outNs()).isCloseTo(wantRedis.outNs(), within(1.0));
    assertThat(gotRedis.inBytes()).isCloseTo(wantRedis.inBytes(), within(0.1));
    assertThat(gotRedis.outBytes()).isCloseTo(wantRedis.outBytes(), within(0.1));
  }

  /**
   * The check of docs/capacity.md: the cases the fit does not use are predictions (their frames per
   * write call from the model too), the paced three-node runs among them, each within 25 %.
   */
  @Test
  void checksTheThreeNodeRuns() throws Exception {
    List<Check> checks = CapacityModel.check(CapacityModel.cases(RESULTS), CapacityModel.MEASURED);
    List<Check> predictions = checks.stream().filter(c -> !c.calibration()).toList();
    assertThat(predictions)
        .extracting(Check::name)
        .containsExactlyInAnyOrder(
            "fanout500x1@100", "fanout500x2@100", "fanout500x3@100", "roomsx3@1");
    for (Check c : predictions) {
      assertThat(Math.abs(c.serverError())).as(c.name()).isLessThanOrEqualTo(0.25);
      assertThat(Math.abs(c.redisError())).as(c.name()).isLessThanOrEqualTo(0.25);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code =
        CapacityCli.run(
            new String[] {"--check", RESULTS.get(0).toString()},
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("fanout500x3@100", "roomsx3@1", "prediction", "within 25 %");
  }

  @Test
  void printsAPlan() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code =
        CapacityCli.run(
            new String[] {"--connections", "1000000", "--room-size", "10", "--rate", "1"},
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("1,000,000 connections", "100,000 rooms of 10", "first limit:");
  }
}
