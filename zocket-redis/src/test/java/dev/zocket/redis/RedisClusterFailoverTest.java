package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisCluster;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster shard fails over under the backplane: the masters of a room's channel, of the
 * broadcast channel and of a node's channel each hand over to their replica ({@code CLUSTER
 * FAILOVER}), which ends the nodes' sharded subscriptions there. The nodes subscribe again by
 * themselves: rooms, broadcasts and events to one client flow again, and the outage is reported and
 * its end too.
 */
class RedisClusterFailoverTest {
  @Test
  void roomsBroadcastsAndClientEventsFlowAgainAfterFailovers() throws Exception {
    LeakDetection.install();
    try (RedisCluster cluster = RedisCluster.start();
        Nodes nodes = new Nodes(cluster, 2);
        TestClient a = new TestClient(nodes.node(0));
        TestClient b = new TestClient(nodes.node(1))) {
      b.join("news");
      nodes.awaitSubscribers("news", 1);
      a.toRooms("before", "news");
      assertThat(b.next().text()).isEqualTo("before");

      RedisBackplane second = nodes.backplanes.get(1);
      Set<Integer> masters = new LinkedHashSet<>();
      masters.add(cluster.masterOf(second.roomChannel("news")));
      masters.add(cluster.masterOf("zocket:all"));
      masters.add(cluster.masterOf("zocket:node:node1"));
      for (int master : masters) {
        cluster.failover(master);
      }

      // Each kind of event reaches b again, each in its own channel on its own shard.
      assertThat(firstArrival(b, () -> a.toRooms("room", "news"), "room")).isTrue();
      assertThat(firstArrival(b, () -> a.broadcast("all", true), "all")).isTrue();
      assertThat(firstArrival(b, () -> a.toClients("direct", b.id), "direct")).isTrue();
      Await.until(
          "node 1 to report the end of its outage",
          Duration.ofSeconds(30),
          nodes.observers.get(1)::recovered);
      assertThat(nodes.observers.get(1).states).startsWith("outage");
    }
    LeakDetection.assertNoLeaks();
  }

  /**
   * Sends every 50 ms (at most 30 s) until b receives one, then drains what came meanwhile: whether
   * the events flow again. Events sent while the subscription was being made again may be lost.
   */
  private static boolean firstArrival(TestClient b, Runnable send, String text)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      send.run();
      Thread.sleep(50);
      for (ChatApi.Msg m; (m = b.poll()) != null; ) {
        if (m.text().equals(text)) {
          return true;
        }
      }
    }
    return false;
  }
}
