package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ZocketException;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.Target;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ZocketServer#cluster()} on a single server without a backplane: every answer is local. */
@Timeout(60)
class ClusterTest {
  private static ZocketServer server;
  private final List<JdkClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    server = Servers.standard().presence(TestApi.User::name).start();
  }

  @AfterAll
  static void stop() {
    server.close();
    LeakDetection.assertNoLeaks();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(JdkClient::close);
    Await.until(
        "no connection and no room left",
        () -> server.connectionCount() == 0 && server.roomCount() == 0);
  }

  private JdkClient client(String name, String... rooms) {
    JdkClient c = JdkClient.connect(server.port(), "?user-name=" + name);
    clients.add(c);
    for (String room : rooms) {
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
    }
    c.sync();
    return c;
  }

  private static String clientId(JdkClient c) {
    c.call("t.whoami", null);
    String reply = c.next();
    return reply.substring(reply.indexOf("\"clientId\":\"") + 12, reply.indexOf("\"},\"rpcId\""));
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void listsTheMembersOfARoomWithTheirPresenceInTheOrderOfTheirIds() {
    JdkClient a = client("Ann", "r1");
    JdkClient b = client("Bob", "r1", "r2");
    client("Cid", "r2");
    Cluster.Members page = get(server.cluster().members("r1"));

    assertThat(page.members())
        .extracting(Cluster.Member::clientId)
        .containsExactlyElementsOf(sorted(clientId(a), clientId(b)));
    assertThat(page.members())
        .extracting(m -> m.presence(String.class))
        .containsExactlyInAnyOrder("Ann", "Bob");
    assertThat(page.members()).extracting(Cluster.Member::nodeId).containsOnly("");
    assertThat(page.count()).isEqualTo(2);
    assertThat(page.next()).isNull();
    assertThat(page.complete()).isTrue();
    assertThat(page.unansweredNodes()).isZero();
    assertThat(get(server.cluster().members("nobody")).members()).isEmpty();
  }

  @Test
  void pagesWalkALargeRoomOnceEachInOrder() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // more than Room.SMALL: a set, not an array
      ids.add(clientId(client("u" + i, "big")));
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 20; pages++) {
      Cluster.Members page = get(server.cluster().members("big", after, 7));
      assertThat(page.count()).isEqualTo(40);
      assertThat(page.members()).hasSizeLessThanOrEqualTo(7);
      page.members().forEach(m -> seen.add(m.clientId()));
      after = page.next();
      if (after == null) {
        break;
      }
    }
    assertThat(after).as("the last page says so").isNull();
    assertThat(seen).containsExactlyElementsOf(sorted(ids.toArray(new String[0])));
  }

  @Test
  void tellsAClientsRoomsAndPresenceAndTheCounts() {
    JdkClient a = client("Ann", "r1", "r2");
    client("Bob");
    Cluster.ClientInfo info = get(server.cluster().client(clientId(a))).orElseThrow();
    assertThat(info.rooms()).containsExactlyInAnyOrder("r1", "r2");
    assertThat(info.roomsComplete()).isTrue();
    assertThat(info.presence(String.class)).isEqualTo("Ann");
    assertThat(get(server.cluster().client("unknown"))).isEmpty();

    Cluster.Stats stats = get(server.cluster().stats());
    assertThat(stats.connections()).isEqualTo(2);
    assertThat(stats.nodes()).containsOnlyKeys("");
    assertThat(stats.nodes().get("").rooms()).isEqualTo(2);
    assertThat(stats.complete()).isTrue();
  }

  @Test
  void joinAndLeaveMoveAClientSoThatRoomEventsReachItOrNot() {
    JdkClient a = client("Ann");
    JdkClient b = client("Bob", "room");
    String aid = clientId(a);
    assertThat(get(server.cluster().join(aid, "room"))).isTrue();
    server.emit(Events.class).toRoom("room").onText("in");
    assertThat(a.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"in\"}");
    assertThat(b.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"in\"}");

    assertThat(get(server.cluster().leave(aid, "room"))).isTrue();
    server.emit(Events.class).toRoom("room").onText("out");
    assertThat(b.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"out\"}");
    a.sync(); // "out" did not reach a: the next message is the round trip's answer
    assertThat(get(server.cluster().join("unknown", "room"))).isFalse();
    assertThat(get(server.cluster().leave("unknown", "room"))).isFalse();
  }

  @Test
  void aJoinOverALimitFailsWithItsCode() {
    JdkClient a = client("Ann");
    String tooLong = "x".repeat(257);
    assertThatThrownBy(() -> get(server.cluster().join(clientId(a), tooLong)))
        .hasCauseInstanceOf(ZocketException.class)
        .cause()
        .satisfies(e -> assertThat(((ZocketException) e).code()).isEqualTo("LIMIT_EXCEEDED"));
  }

  @Test
  void disconnectClosesWithTheCodeTheClientSees() {
    JdkClient a = client("Ann", "r1");
    JdkClient b = client("Bob");
    assertThat(get(server.cluster().disconnect(clientId(a), 4000, "Banned"))).isTrue();
    assertThat(a.awaitClose()).isEqualTo(4000);
    b.sync(); // untouched
    assertThat(get(server.cluster().disconnect("unknown", 1000, ""))).isFalse();
  }

  @Test
  void rejectsBadArgumentsWhereTheyEnter() {
    Cluster cluster = server.cluster();
    assertThatThrownBy(() -> cluster.members("r", null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be from 1 to 10000: 0");
    assertThatThrownBy(() -> cluster.disconnect("id", 1006, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("code must be 1000, 1001, 1008, 1011 to 1013, or 3000 to 4999: 1006");
    assertThatThrownBy(() -> cluster.withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be from 1 ms to 10 minutes: PT0S");
    assertThat(cluster.withTimeout(Duration.ofSeconds(1)).timeout()).hasSeconds(1);
    assertThat(cluster.timeout()).hasSeconds(Cluster.DEFAULT_TIMEOUT_SECONDS);
    assertThat(cluster.nodeId()).isEmpty();
  }

  @Test
  void aBackplaneWithoutControlMessagesAnswersLocallyAndSaysSo() {
    Backplane silent =
        new Backplane() { // carries nothing, and no control messages (the SPI's default)
          @Override
          public String nodeId() {
            return "n1";
          }

          @Override
          public void start(Node node) {}

          @Override
          public void publish(Target target, byte[] frame) {}

          @Override
          public void subscribe(String room) {}

          @Override
          public void unsubscribe(String room) {}

          @Override
          public void close() {}
        };
    ZocketServer alone = Servers.standard().presence(TestApi.User::name).backplane(silent).start();
    try {
      JdkClient a = JdkClient.connect(alone.port(), "?user-name=Ann");
      clients.add(a);
      a.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"}}");
      a.sync();
      String aid = clientId(a);
      assertThat(aid).startsWith("n1.");

      Cluster.Members page = get(alone.cluster().members("r"));
      assertThat(page.members()).extracting(Cluster.Member::clientId).containsExactly(aid);
      assertThat(page.members()).extracting(Cluster.Member::nodeId).containsExactly("n1");
      assertThat(page.complete()).as("the other nodes could not be asked").isFalse();
      assertThat(page.unansweredNodes()).isZero();
      assertThat(get(alone.cluster().client(aid))).isPresent(); // this node's: no backplane needed

      assertThatThrownBy(() -> get(alone.cluster().disconnect("n2.someone", 1000, "")))
          .hasCauseInstanceOf(ZocketException.class)
          .cause()
          .satisfies(e -> assertThat(((ZocketException) e).code()).isEqualTo(Cluster.UNAVAILABLE))
          .hasMessage("Node n2 cannot be reached through the backplane");
      a.close();
      Await.until("Ann gone", () -> alone.connectionCount() == 0);
    } finally {
      alone.close();
    }
  }

  private static List<String> sorted(String... ids) {
    List<String> list = new ArrayList<>(List.of(ids));
    list.sort(null);
    return list;
  }
}
