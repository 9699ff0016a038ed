package dev.zocket.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fault harness end to end on its shortest fault: three node processes on a real {@code
 * redis-server}, node 1 cut from Redis for 2 s under steady traffic. The events the nodes missed
 * are exactly the events they reported lost, node by node, and no client got one twice. Skipped
 * without {@code redis-server} on a developer's machine, failed under CI, as the other Redis tests.
 */
@Timeout(120)
class FaultDriverTest {
  @Test
  @SuppressWarnings("unchecked")
  void aNodeCutFromRedisLosesWhatItReports() throws Exception {
    Map<String, Object> r =
        FaultDriver.run(
            new FaultDriver.Config(
                false,
                "cut",
                false,
                3,
                50,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                FaultDriver.defaultNodeJava()));

    assertThat(r.get("unserved")).asList().isEmpty();
    assertThat(r.get("noMarker")).asList().isEmpty();
    // Node 1 missed the others' events and they missed node 1's: some were lost, all reported.
    assertThat((Long) r.get("lost")).isPositive();
    assertThat(r.get("reported")).isEqualTo(r.get("lost"));
    assertThat(r.get("lostMatchesReported")).isEqualTo(true);
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) r.get("nodes");
    for (Map<String, Object> node : nodes) {
      assertThat(node.get("reported")).as("node %s", node.get("node")).isEqualTo(node.get("lost"));
    }
    assertThat((Long) nodes.get(1).get("lost")).isPositive();
    assertThat((Long) nodes.get(1).get("outages")).isEqualTo(1L);
    assertThat(r.get("duplicates")).isEqualTo(0L);
    assertThat(r.get("partialMissing")).isEqualTo(0L);
  }
}
