package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster shard fails over under the backplane. Handed over: the masters of a room's
 * channel, of the broadcast channel and of a node's channel each hand over to their replica ({@code
 * CLUSTER FAILOVER}), which ends the nodes' sharded subscriptions there. Killed: a master dies and
 * the cluster promotes its replica, which ends no subscription; the change of topology is what
 * tells. Either way the nodes subscribe again by themselves, events flow again, the outage is
 * reported and its end too, and what was lost meanwhile is reported lost.
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
   * The master of a room's channel dies ({@code SIGKILL}) while a node publishes to the room every
   * 5 ms, and its replica takes over once the cluster notices (2 s). Events published meanwhile are
   * lost for the other node's member: the publisher's are refused while the shard is away, and the
   * receiving node is not subscribed on the new master until it has subscribed again. The receiving
   * node reports each of them ({@code onBackplaneLost}), no more and no fewer, and none arrives
   * twice.
   */
  @Test
  void aMasterDyingMidTrafficLosesExactlyTheEventsReportedLost() throws Exception {
    long lost =
        lossAcross(
            (cluster, channel) -> {
              try {
                cluster.kill(cluster.masterOf(channel));
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            });
    assertThat(lost).as("the kill lost events").isPositive();
  }

  /**
   * The master of a room's channel dies and comes back at once, before the cluster fails it over,
   * while a node publishes to the room, and the receiving node is in twenty rooms. Lettuce
   * subscribes its connection to that master again with one {@code SSUBSCRIBE} for all its
   * channels, which Redis refuses when they are in several slots ({@code CROSSSLOT}): the backplane
   * subscribes each again itself. Events flow again, and what was lost is reported.
   */
  @Test
  void aMasterRestartedMidTrafficIsSubscribedAgain() throws Exception {
    lossAcross(
        (cluster, channel) -> {
          try {
            int master = cluster.masterOf(channel);
            cluster.kill(master);
            cluster.restart(master);
          } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
          }
        });
  }

  /**
   * The master of a room's channel hands over to its replica ({@code CLUSTER FAILOVER}) while a
   * node publishes to the room. The old master, now a replica, keeps the receiving node's
   * subscription and still gets the shard's messages by replication, while the node subscribes
   * again on the new master: two copies of every event arrive, and the second is dropped. What was
   * lost in between is reported.
   */
  @Test
  void aHandOverMidTrafficDeliversEachEventOnce() throws Exception {
    lossAcross((cluster, channel) -> cluster.failover(cluster.masterOf(channel)));
  }

  /**
   * The slot of a room's channel moves to another master while a node publishes to the room, as a
   * resharding does: the old master ends the subscriptions, the publisher follows the redirection,
   * the receiving node subscribes again on the new master. What was lost in between (often nothing)
   * is reported, and nothing arrives twice.
   */
  @Test
  void aSlotMovingMidTrafficLosesOnlyTheEventsReportedLost() throws Exception {
    lossAcross(RedisCluster::moveSlotOf);
  }

  /**
   * Node 0's client publishes to a room every 5 ms, node 1's client is its member; the fault
   * strikes the room's channel after 100 events arrived. Publishes on until 100 events were sent
   * after the first that arrived again (60 s at most), then an end marker, and checks that nothing
   * arrived twice and that node 1 reported exactly the events that did not arrive.
   *
   * @return the events lost
   */
  private static long lossAcross(BiConsumer<RedisCluster, String> fault) throws Exception {
    LeakDetection.install();
    long lost;
    try (RedisCluster cluster = RedisCluster.start();
        Nodes nodes = new Nodes(cluster, 2);
        TestClient a = new TestClient(nodes.node(0));
        TestClient b = new TestClient(nodes.node(1))) {
      b.join("news");
      for (int i = 0; i < 20; i++) { // channels in many slots of every shard
        b.join("room" + i);
      }
      nodes.awaitSubscribers("news", 1);
      List<String> seen = new ArrayList<>();
      int sent = 0;
      for (; sent < 100; sent++) {
        a.toRooms("m" + sent, "news");
        Thread.sleep(5);
      }
      seen.addAll(b.until("m99"));
      assertThat(seen).hasSize(100);

      fault.accept(cluster, nodes.backplanes.get(1).roomChannel("news"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int flowingAgainAt = -1;
      while (flowingAgainAt < 0 || sent < flowingAgainAt + 100) {
        assertThat(System.nanoTime()).as("events flow again").isLessThan(deadline);
        a.toRooms("m" + sent, "news");
        sent++;
        Thread.sleep(5);
        for (ChatApi.Msg m; (m = b.poll()) != null; ) {
          seen.add(m.text());
          if (flowingAgainAt < 0 && seen.size() > 100) {
            flowingAgainAt = sent;
          }
        }
      }
      a.toRooms("end", "news");
      seen.addAll(b.until("end"));

      Set<String> distinct = new LinkedHashSet<>(seen);
      assertThat(distinct).as("no duplicates").hasSameSizeAs(seen);
      lost = sent + 1 - distinct.size();
      Await.until(
          "node 1 to report " + lost + " lost events",
          Duration.ofSeconds(10),
          () -> nodes.observers.get(1).lost.get() >= lost);
      assertThat(nodes.observers.get(1).lost.get()).isEqualTo(lost);
      assertThat(nodes.observers.get(0).lost.get()).isZero();
    }
    LeakDetection.assertNoLeaks();
    return lost;
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
