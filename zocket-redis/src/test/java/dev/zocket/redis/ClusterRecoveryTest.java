package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.RedisCluster;
import dev.zocket.testsupport.RedisServer;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connection-state recovery across two nodes sharing a real {@code redis-server}: the client's
 * connection is cut (a TCP reset) 20 times during 10,000 room events, and each time it reconnects
 * to the other node, which resumes its session from Redis and replays exactly what it missed of its
 * own room, none of the events of a room it is not in that are sent among them.
 */
@Timeout(120)
@ExtendWith(LeakDetection.class)
class ClusterRecoveryTest {
  public record Headers(@NotBlank @JsonProperty("user-name") String userName) {}

  public record Room(@NotBlank String roomId) {}

  public record Who(String clientId, String user, Set<String> rooms) {}

  public record Item(int n) {}

  @Namespace("session")
  public interface Sessions {
    void join(Room room);

    CompletableFuture<Who> who();
  }

  @Namespace("feed")
  public interface Feed {
    default void onItem(Item item) {}
  }

  static final class SessionsHandler implements Sessions {
    private final Context<String> ctx;

    SessionsHandler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(Room room) {
      ctx.rooms().join(room.roomId());
    }

    @Override
    public CompletableFuture<Who> who() {
      return CompletableFuture.completedFuture(
          new Who(ctx.clientId(), ctx.user(), new TreeSet<>(ctx.rooms().current())));
    }
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
  private final AtomicInteger connects = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ZocketServer node(String redisUri, boolean cluster, String id) {
    ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .backplane(RedisBackplane.builder(redisUri).cluster(cluster).nodeId(id).build())
            .headers(Headers.class)
            .onConnect(
                (h, clientId) -> {
                  connects.incrementAndGet();
                  return h.userName();
                })
            .onDisconnect(ctx -> disconnected.add(ctx.clientId()))
            .handle(Sessions.class, SessionsHandler::new)
            .recovery(Duration.ofSeconds(60), 20_000)
            .shutdownTimeout(Duration.ofSeconds(5))
            .start();
    closing.add(server);
    return server;
  }

  private static Who who(ZocketClient client) {
    return client.proxy(Sessions.class).who().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * A client through the proxy that records the items it receives and, for each open, whether it
   * resumed its session; on a fresh session it joins the room "news".
   */
  private ZocketClient client(
      CuttingProxy proxy, List<Integer> items, BlockingQueue<Boolean> opens) {
    ZocketClient client =
        ZocketClient.builder(proxy.wsUri())
            .header("user-name", "alice")
            .on(
                Feed.class,
                new Feed() {
                  @Override
                  public void onItem(Item item) {
                    items.add(item.n());
                  }
                })
            .reconnect(
                ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(100))
                    .withMaxAttempts(1_000))
            .onOpen(
                c -> {
                  boolean recovered = c.recovered();
                  opens.add(recovered);
                  if (!recovered) {
                    c.proxy(Sessions.class).join(new Room("news"));
                  }
                })
            .connect();
    closing.add(client);
    return client;
  }

  /**
   * A client comes back to the node it left before the node it went to has noticed its connection
   * died: the first node must wait for the second to park the session, not start a fresh one
   * because it still holds the session it parked the first time.
   */
  @Test
  void aSessionReturnsToItsFirstNodeBeforeTheSecondHasParkedIt() throws Exception {
    RedisServer redis = RedisServer.start();
    closing.add(redis);
    ZocketServer[] nodes = {node(redis.uri(), false, "a"), node(redis.uri(), false, "b")};
    CuttingProxy proxy = CuttingProxy.start(nodes[0].port());
    closing.add(proxy);
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    ZocketClient client = client(proxy, Collections.synchronizedList(new ArrayList<>()), opens);
    assertThat(Await.next("the first open", opens)).isFalse();
    Await.until("the room is joined", () -> who(client).rooms().contains("news"));
    Who before = who(client);

    proxy.target(nodes[1].port());
    assertThat(proxy.cut()).isEqualTo(1);
    assertThat(Await.next("the reopening on b", opens)).isTrue();
    assertThat(who(client)).isEqualTo(before);

    proxy.target(nodes[0].port());
    assertThat(proxy.cutClientFirst(Duration.ofMillis(500))).isEqualTo(1);
    assertThat(Await.next("the reopening on a", opens)).as("resumed on a").isTrue();
    assertThat(who(client)).isEqualTo(before);
    assertThat(connects).hasValue(1);
  }

  @Test
  void tenThousandEventsThroughTwentyCutsEachResumedOnTheOtherNode() throws Exception {
    RedisServer redis = RedisServer.start();
    closing.add(redis);
    eventsThroughCuts(redis.uri(), false, 10_000, 20);
  }

  /** The same on a Redis Cluster, where the stream and the sessions share one shard. */
  @Test
  void onARedisClusterToo() throws Exception {
    RedisCluster cluster = RedisCluster.start();
    closing.add(cluster);
    eventsThroughCuts(String.join(",", cluster.uris()), true, 3_000, 6);
  }

  private void eventsThroughCuts(String redisUri, boolean cluster, int total, int cuts)
      throws Exception {
    ZocketServer[] nodes = {node(redisUri, cluster, "a"), node(redisUri, cluster, "b")};
    CuttingProxy proxy = CuttingProxy.start(nodes[0].port());
    closing.add(proxy);

    List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    ZocketClient client = client(proxy, items, opens);
    assertThat(Await.next("the first open", opens)).isFalse();
    Await.until("the room is joined", () -> who(client).rooms().contains("news"));
    Who before = who(client);
    assertThat(before.clientId()).startsWith("a.");

    Thread sender =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                nodes[0].emit(Feed.class).toRoom("news").onItem(new Item(i));
                if (i % 10 == 0) { // a room the client is not in: never replayed to it
                  nodes[i % 20 == 0 ? 0 : 1]
                      .emit(Feed.class)
                      .toRoom("elsewhere")
                      .onItem(new Item(-2));
                }
                if (i % 50 == 49) {
                  try {
                    Thread.sleep(1);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              }
            },
            "sender");
    sender.start();
    int cut = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (cut < cuts && System.nanoTime() < deadline) {
      int target = (cut + 1) * total / (cuts + 1);
      Await.until("item " + target, Duration.ofSeconds(30), () -> items.size() >= target);
      proxy.target(nodes[(cut + 1) % 2].port()); // the next connection goes to the other node
      Await.until("a connection to cut", Duration.ofSeconds(30), () -> proxy.cut() > 0);
      cut++;
      assertThat(Await.next("a reopening after cut " + cut, opens))
          .as("recovered after cut %d", cut)
          .isTrue();
      assertThat(who(client)).as("after cut %d", cut).isEqualTo(before);
    }
    sender.join(TimeUnit.SECONDS.toMillis(60));
    nodes[1].emit(Feed.class).toRoom("news").onItem(new Item(-1)); // the marker
    Await.until("the marker", Duration.ofSeconds(30), () -> items.contains(-1));

    assertThat(cut).isEqualTo(cuts);
    assertThat(opens).isEmpty();
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add(i);
    }
    expected.add(-1);
    synchronized (items) {
      assertThat(items).containsExactlyElementsOf(expected);
    }
    assertThat(connects).hasValue(1);
    assertThat(disconnected).isEmpty();
  }
}
