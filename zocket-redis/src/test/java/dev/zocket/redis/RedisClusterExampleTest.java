package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.ChatApi.Msg;
import dev.zocket.testsupport.RedisCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Redis Cluster example of docs/cluster.md, run on a real Redis Cluster of three masters and
 * three replicas: two server nodes built as the page shows, a client on each, a room between them.
 * Skipped without {@code redis-server} and {@code redis-cli}.
 */
@Timeout(120)
class RedisClusterExampleTest {
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ZocketServer node(String seeds) {
    // region cluster
    ZocketServer server =
        ZocketServer.builder()
            // seeds: "redis://10.0.0.1:7000,redis://10.0.0.2:7000" (one that answers is enough)
            .backplane(RedisBackplane.builder(seeds).cluster(true).build())
            .recovery(Duration.ofMinutes(2), 10_000) // optional: sessions and events in Redis too
            .handle(ChatApi.Chat.class, ChatApi.Handler::new)
            .host("127.0.0.1")
            .port(0)
            .start();
    // endregion cluster
    closing.add(server);
    return server;
  }

  @Test
  void aRoomSpansTwoNodesOfARedisCluster() throws Exception {
    RedisCluster cluster = RedisCluster.start();
    closing.add(cluster);
    String seeds = String.join(",", cluster.uris());
    ZocketServer a = node(seeds);
    ZocketServer b = node(seeds);

    TestClient alice = new TestClient(a);
    closing.add(alice);
    TestClient bob = new TestClient(b);
    closing.add(bob);
    alice.join("general");
    bob.join("general");
    bob.toRooms("hello from node b", "general");

    Msg heard = alice.next();
    assertThat(heard.from()).isEqualTo(bob.id);
    assertThat(heard.text()).isEqualTo("hello from node b");
    alice.toClients("hello bob", bob.id);
    assertThat(bob.until("hello bob")).containsExactly("hello from node b", "hello bob");
  }
}
