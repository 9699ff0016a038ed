package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.ChatApi.ChatEvents;
import dev.zocket.redis.ChatApi.Msg;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis stalls with its connections open (SIGSTOP) while a node goes on emitting to a room with a
 * member on another node: Lettuce would queue every event for Redis without bound; the backplane
 * holds at most its {@code maxPendingBytes} and drops the rest, reporting an outage. Once Redis
 * goes on, what was queued arrives, the outage ends, and new events cross again.
 */
@Timeout(90)
class RedisBacklogTest {
  private static final long BUDGET = 64 * 1024;

  @Test
  void aStalledRedisCostsANodeAtMostItsBudget() throws Exception {
    LeakDetection.install();
    List<AutoCloseable> closing = new ArrayList<>();
    try (RedisServer redis = RedisServer.start()) {
      List<RedisBackplane> backplanes = new ArrayList<>();
      List<Nodes.BackplaneObserver> observers = new ArrayList<>();
      List<ZocketServer> servers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        RedisBackplane backplane =
            RedisBackplane.builder(redis.uri()).nodeId("node" + i).maxPendingBytes(BUDGET).build();
        Nodes.BackplaneObserver observer = new Nodes.BackplaneObserver();
        ZocketServer server =
            ZocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .backplane(backplane)
                .observer(observer)
                .handle(ChatApi.Chat.class, ChatApi.Handler::new)
                .shutdownTimeout(Duration.ofSeconds(5))
                .start();
        backplanes.add(backplane);
        observers.add(observer);
        servers.add(server);
        closing.add(server);
      }
      TestClient b = new TestClient(servers.get(1));
      closing.add(b);
      b.join("r");
      Await.until("node 1 subscribed", () -> subscribed(redis));
      ChatEvents toRoom = servers.get(0).emit(ChatEvents.class).toRoom("r");
      toRoom.onMessage(new Msg("node0", "before"));
      assertThat(b.next().text()).isEqualTo("before");

      redis.pause();
      String filler = "x".repeat(1_000);
      int sent = 1_000; // about 1 MB, sixteen times the budget
      for (int i = 0; i < sent; i++) {
        toRoom.onMessage(new Msg("node0", i + ":" + filler));
        assertThat(backplanes.get(0).pendingBytes()).isLessThanOrEqualTo(BUDGET);
      }
      Await.until("node 0 to report the outage", () -> observers.get(0).states.contains("outage"));
      long queued = backplanes.get(0).pendingBytes();
      assertThat(queued).isPositive().isLessThanOrEqualTo(BUDGET);

      redis.resume();
      Await.until(
          "node 0 to report the end of the outage",
          Duration.ofSeconds(20),
          observers.get(0)::recovered);
      toRoom.onMessage(new Msg("node0", "after"));
      List<String> arrived = b.until("after");
      int crossed = arrived.size() - 1;
      // What was queued within the budget arrived, in order; the rest was dropped, not queued.
      assertThat(crossed).isPositive().isLessThan(sent);
      assertThat(crossed).isLessThanOrEqualTo((int) (BUDGET / filler.length()) + 1);
      for (int i = 0; i < crossed; i++) {
        assertThat(arrived.get(i)).startsWith(i + ":");
      }
      assertThat(backplanes.get(0).pendingBytes()).isZero();
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
    }
    LeakDetection.assertNoLeaks();
  }

  private static boolean subscribed(RedisServer redis) {
    try (io.lettuce.core.RedisClient admin = io.lettuce.core.RedisClient.create(redis.uri());
        var c = admin.connect()) {
      return c.sync().pubsubNumsub("zocket:room:r").getOrDefault("zocket:room:r", 0L) == 1;
    }
  }
}
