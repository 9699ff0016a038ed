package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.Cluster;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.ChatApi.ChatEvents;
import dev.zocket.redis.ChatApi.Msg;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ZocketServer#cluster()} across two nodes on a real Redis: a room's members listed from
 * either node, a client of the other node disconnected and moved between rooms, and what a node
 * that is down or does not answer makes of each operation.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterPresenceTest {
  private RedisServer redis;
  private ZocketServer a;
  private ZocketServer b;
  private RedisClient admin;
  private StatefulRedisConnection<String, String> adminConnection;
  private final List<Member> clients = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    LeakDetection.install();
    redis = RedisServer.start();
    a = node("nodeA");
    b = node("nodeB");
    admin = RedisClient.create(redis.uri());
    adminConnection = admin.connect();
  }

  @AfterAll
  void stop() throws Exception {
    if (adminConnection != null) {
      adminConnection.close();
      admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    for (ZocketServer s : new ZocketServer[] {a, b}) {
      if (s != null) {
        s.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(Member::close);
    clients.clear();
    Await.until("no connection left", () -> a.connectionCount() == 0 && b.connectionCount() == 0);
  }

  private ZocketServer node(String nodeId) {
    return ZocketServer.builder()
        .onConnect((headers, clientId) -> headers.getOrDefault("user-name", "anonymous"))
        .presence(name -> name)
        .backplane(
            RedisBackplane.builder(redis.uri())
                .nodeId(nodeId)
                .maxReconnectDelay(Duration.ofMillis(200))
                .build())
        .handle(ChatApi.Chat.class, ChatApi.Handler::new)
        .host("127.0.0.1")
        .port(0)
        .shutdownTimeout(Duration.ofSeconds(5))
        .start();
  }

  /** A named client of a node, recording the events it receives and its close code. */
  private final class Member implements AutoCloseable {
    final ZocketClient client;
    final ChatApi.Chat chat;
    final String id;
    final BlockingQueue<Msg> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    Member(ZocketServer node, String name, String... rooms) {
      client =
          ZocketClient.builder(URI.create("ws://127.0.0.1:" + node.port()))
              .header("user-name", name)
              .on(ChatEvents.class, received::add)
              .onClose((code, reason) -> closeCode.complete(code))
              .reconnect(ReconnectPolicy.disabled())
              .connect();
      chat = client.proxy(ChatApi.Chat.class);
      id = chat.whoami();
      for (String room : rooms) {
        chat.join(room);
      }
      clients.add(this);
    }

    String next() {
      return Await.next("a message", received).text();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static ZocketException failure(CompletionStage<?> stage) {
    try {
      get(stage);
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(ZocketException.class);
      return (ZocketException) e.getCause();
    }
    throw new AssertionError("the operation did not fail");
  }

  private long subscribers(String room) {
    String channel = "zocket:room:" + room;
    Map<String, Long> counts = adminConnection.sync().pubsubNumsub(channel);
    return counts.getOrDefault(channel, 0L);
  }

  private void awaitSubscribers(String room, long expected) {
    Await.until(
        "Redis subscribers of " + room + " = " + expected, () -> subscribers(room) == expected);
  }

  @Test
  void listsARoomsMembersAcrossNodesFromEitherNode() {
    Member ann = new Member(a, "Ann", "lobby");
    Member bob = new Member(b, "Bob", "lobby");
    Member cid = new Member(b, "Cid", "lobby", "other");
    new Member(b, "Dan", "other");
    List<String> ids = new ArrayList<>(List.of(ann.id, bob.id, cid.id));
    ids.sort(null);

    for (ZocketServer node : List.of(a, b)) {
      Cluster.Members page = get(node.cluster().members("lobby"));
      assertThat(page.members())
          .extracting(Cluster.Member::clientId)
          .containsExactlyElementsOf(ids);
      assertThat(page.members())
          .extracting(m -> m.nodeId() + " " + m.presence(String.class))
          .containsExactlyInAnyOrder("nodeA Ann", "nodeB Bob", "nodeB Cid");
      assertThat(page.count()).isEqualTo(3);
      assertThat(page.next()).isNull();
      assertThat(page.complete()).isTrue();
    }

    // Pages of 2 across the nodes: each member once, in order.
    Cluster.Members first = get(a.cluster().members("lobby", null, 2));
    assertThat(first.members()).extracting(Cluster.Member::clientId).isEqualTo(ids.subList(0, 2));
    assertThat(first.next()).isEqualTo(ids.get(1));
    Cluster.Members second = get(a.cluster().members("lobby", first.next(), 2));
    assertThat(second.members()).extracting(Cluster.Member::clientId).isEqualTo(ids.subList(2, 3));
    assertThat(second.next()).isNull();

    Cluster.Stats stats = get(a.cluster().stats());
    assertThat(stats.nodes())
        .containsEntry("nodeA", new Cluster.NodeStats(1, 1))
        .containsEntry("nodeB", new Cluster.NodeStats(3, 2));
    assertThat(stats.connections()).isEqualTo(4);
    assertThat(stats.complete()).isTrue();

    Cluster.ClientInfo info = get(a.cluster().client(cid.id)).orElseThrow();
    assertThat(info.nodeId()).isEqualTo("nodeB");
    assertThat(info.rooms()).containsExactlyInAnyOrder("lobby", "other");
    assertThat(info.presence(String.class)).isEqualTo("Cid");
    assertThat(get(a.cluster().client("nodeB.nobody"))).isEmpty();
  }

  @Test
  void disconnectsAClientOfTheOtherNodeWithItsCode() {
    Member bob = new Member(b, "Bob");
    Member cid = new Member(b, "Cid");
    assertThat(get(a.cluster().disconnect(bob.id, 4001, "Kicked by an admin"))).isTrue();
    assertThat(bob.closeCode).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(4001);
    assertThat(cid.chat.whoami()).isEqualTo(cid.id); // the other client is untouched
    assertThat(get(a.cluster().disconnect("nodeB.nobody", 1000, ""))).isFalse();
  }

  @Test
  void movesAClientOfTheOtherNodeIntoAndOutOfARoom() {
    Member ann = new Member(a, "Ann", "moved");
    Member bob = new Member(b, "Bob");
    assertThat(get(a.cluster().join(bob.id, "moved"))).isTrue();
    awaitSubscribers("moved", 2);
    a.emit(ChatEvents.class).toRoom("moved").onMessage(new Msg("admin", "in"));
    assertThat(bob.next()).isEqualTo("in");
    assertThat(ann.next()).isEqualTo("in");
    assertThat(get(a.cluster().client(bob.id)).orElseThrow().rooms()).containsExactly("moved");

    assertThat(get(a.cluster().leave(bob.id, "moved"))).isTrue();
    awaitSubscribers("moved", 1);
    a.emit(ChatEvents.class).toRoom("moved").onMessage(new Msg("admin", "out"));
    a.emit(ChatEvents.class).to(bob.id).onMessage(new Msg("admin", "marker"));
    assertThat(ann.next()).isEqualTo("out");
    assertThat(bob.next()).as("'out' would have come first").isEqualTo("marker");
    assertThat(get(a.cluster().join("nodeB.nobody", "moved"))).isFalse();
  }

  @Test
  void aJoinRefusedOnTheOtherNodeFailsWithItsCode() {
    Member bob = new Member(b, "Bob");
    ZocketException e = failure(a.cluster().join(bob.id, "x".repeat(257)));
    assertThat(e.code()).isEqualTo(ErrorCodes.LIMIT_EXCEEDED);
    assertThat(e.getMessage())
        .isEqualTo("A room id may have at most 256 characters; this one has 257");
  }

  @Test
  void aNodeThatDoesNotAnswerMakesAnswersPartialAndItsClientsTimeOut() throws Exception {
    Member ann = new Member(a, "Ann", "slow");
    Member bob = new Member(b, "Bob", "slow");
    // A node that is subscribed to the control channels, so it is counted, and never answers.
    try (StatefulRedisPubSubConnection<String, String> silent = admin.connectPubSub()) {
      silent.sync().subscribe("zocket:ctl", "zocket:ctl:nodeZ");
      Cluster cluster = a.cluster().withTimeout(Duration.ofMillis(500));

      Cluster.Members page = get(cluster.members("slow"));
      assertThat(page.complete()).isFalse();
      assertThat(page.unansweredNodes()).isEqualTo(1);
      assertThat(page.members())
          .extracting(Cluster.Member::clientId)
          .containsExactlyInAnyOrder(ann.id, bob.id);
      Cluster.Stats stats = get(cluster.stats());
      assertThat(stats.complete()).isFalse();
      assertThat(stats.nodes()).containsOnlyKeys("nodeA", "nodeB");

      ZocketException e = failure(cluster.disconnect("nodeZ.someone", 1000, ""));
      assertThat(e.code()).isEqualTo(ErrorCodes.TIMEOUT);
      assertThat(e.getMessage()).isEqualTo("Node nodeZ did not answer in time");
    }
  }

  @Test
  void operationsWaitingForOtherNodesAreBounded() throws Exception {
    try (StatefulRedisPubSubConnection<String, String> silent = admin.connectPubSub()) {
      silent.sync().subscribe("zocket:ctl:nodeZ");
      Cluster cluster = a.cluster().withTimeout(Duration.ofSeconds(3));
      List<CompletableFuture<?>> waiting = new ArrayList<>();
      for (int i = 0; i < Cluster.MAX_PENDING; i++) {
        waiting.add(cluster.client("nodeZ.c" + i).toCompletableFuture());
      }
      ZocketException refused = failure(cluster.client("nodeZ.one-more"));
      assertThat(refused.code()).isEqualTo(ErrorCodes.LIMIT_EXCEEDED);
      for (CompletableFuture<?> f : waiting) {
        assertThat(failure(f).code()).isEqualTo(ErrorCodes.TIMEOUT);
      }
      // Each ended: their places are free again.
      Member bob = new Member(b, "Bob");
      assertThat(get(cluster.client(bob.id))).isPresent();
    }
  }

  @Test
  void aNodeThatIsDownIsNotWaitedFor() {
    ZocketServer c = node("nodeC");
    String carl;
    try {
      Member onC = new Member(c, "Carl", "gone");
      carl = onC.id;
      new Member(a, "Ann", "gone");
      assertThat(get(a.cluster().members("gone")).count()).isEqualTo(2);
    } finally {
      c.close();
    }
    Cluster.Members page = get(a.cluster().members("gone"));
    assertThat(page.count()).isEqualTo(1);
    assertThat(page.complete()).as("every node connected answered").isTrue();

    ZocketException e = failure(a.cluster().disconnect(carl, 1000, ""));
    assertThat(e.code()).isEqualTo(Cluster.UNAVAILABLE);
    assertThat(e.getMessage()).isEqualTo("Node nodeC cannot be reached through the backplane");
  }
}
