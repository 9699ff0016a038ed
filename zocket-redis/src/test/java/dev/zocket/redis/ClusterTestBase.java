package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.redis.ChatApi.Msg;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisCluster;
import dev.zocket.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three server nodes and one real Redis: rooms, broadcasts, {@code to(clientId)}, {@code except}
 * and de-duplication across nodes, and subscriptions that follow local membership.
 *
 * <p>To show that something did not arrive, a test sends a marker after it along a path that keeps
 * order with it (the same sending node and receiving node), and checks that the marker is the next
 * message.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterTestBase {
  private AutoCloseable redis;
  private Nodes nodes;
  private final List<TestClient> clients = new ArrayList<>();

  abstract boolean sharded();

  /** Whether the nodes share a Redis Cluster rather than a single Redis. */
  boolean cluster() {
    return false;
  }

  @BeforeAll
  void start() throws Exception {
    LeakDetection.install();
    if (cluster()) {
      RedisCluster c = RedisCluster.start();
      redis = c;
      nodes = new Nodes(c, 3);
    } else {
      RedisServer r = RedisServer.start();
      redis = r;
      nodes = new Nodes(r, sharded(), 3);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (redis != null) {
      redis.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(TestClient::close);
    clients.clear();
  }

  private TestClient client(int node) {
    TestClient c = new TestClient(nodes.node(node));
    clients.add(c);
    return c;
  }

  @Test
  void clientIdsNameTheirNode() {
    assertThat(client(0).id).startsWith("node0.");
    assertThat(client(2).id).startsWith("node2.");
  }

  @Test
  void membersOnDifferentNodesSeeEachOthersMessagesInOrder() throws Exception {
    TestClient a = client(0);
    TestClient b = client(1);
    TestClient c = client(2);
    for (TestClient t : List.of(a, b, c)) {
      t.join("order");
    }
    nodes.awaitSubscribers("order", 3);

    int n = 50;
    for (int i = 0; i < n; i++) {
      a.toRooms("a" + i, "order");
      b.toRooms("b" + i, "order");
      c.toRooms("c" + i, "order");
    }
    for (TestClient t : List.of(a, b, c)) {
      t.toRooms("end", "order"); // the marker: last of each sender
    }
    for (TestClient t : List.of(a, b, c)) {
      Map<String, List<String>> bySender = new TreeMap<>();
      for (int ends = 0; ends < 3; ) {
        Msg m = t.next();
        bySender.computeIfAbsent(m.from(), k -> new ArrayList<>()).add(m.text());
        ends += m.text().equals("end") ? 1 : 0;
      }
      assertThat(bySender).containsOnlyKeys(a.id, b.id, c.id);
      assertThat(bySender.get(a.id)).containsExactlyElementsOf(texts("a", n, "end"));
      assertThat(bySender.get(b.id)).containsExactlyElementsOf(texts("b", n, "end"));
      assertThat(bySender.get(c.id)).containsExactlyElementsOf(texts("c", n, "end"));
    }
  }

  @Test
  void leaveAndDisconnectStopDeliveryAndUnsubscribe() throws Exception {
    TestClient a = client(0);
    TestClient b = client(1);
    TestClient c = client(2);
    for (TestClient t : List.of(a, b, c)) {
      t.join("leave");
    }
    nodes.awaitSubscribers("leave", 3);
    a.toRooms("hello", "leave");
    assertThat(b.next().text()).isEqualTo("hello");
    assertThat(c.next().text()).isEqualTo("hello");

    b.leave("leave"); // b's node had no other member: it unsubscribes
    nodes.awaitSubscribers("leave", 2);
    c.close(); // so does c's, on disconnect
    nodes.awaitSubscribers("leave", 1);

    a.toRooms("after", "leave");
    a.toClients("marker", b.id);
    assertThat(b.next().text()).isEqualTo("marker");
    assertThat(a.until("after")).containsExactly("hello", "after");
  }

  @Test
  void broadcastReachesEveryNodeAndHonoursExcept() throws Exception {
    TestClient a = client(0);
    TestClient b = client(1);
    TestClient c = client(2);
    TestClient c2 = client(2);

    c.broadcast("all", false);
    for (TestClient t : List.of(a, b, c, c2)) {
      assertThat(t.next()).isEqualTo(new Msg(c.id, "all"));
    }
    c.broadcast("not-c", true);
    b.broadcast("from-b", false);
    for (TestClient t : List.of(a, b, c2)) { // two senders: no order between them
      assertThat(List.of(t.next().text(), t.next().text()))
          .containsExactlyInAnyOrder("not-c", "from-b");
    }
    assertThat(c.next().text()).isEqualTo("from-b"); // skipped by "not-c", also on its own node
    c.broadcast("end", false); // had "not-c" reached c, it would come before this
    assertThat(c.next()).isEqualTo(new Msg(c.id, "end"));
  }

  @Test
  void toClientReachesClientsOnAnyNodeOnce() throws Exception {
    TestClient a = client(0);
    TestClient b = client(1);
    TestClient b2 = client(1);
    TestClient c = client(2);

    a.toClients("to-b", b.id);
    assertThat(b.next()).isEqualTo(new Msg(a.id, "to-b"));
    a.toClients("to-many", b.id, b2.id, c.id, a.id, b.id);
    for (TestClient t : List.of(a, b, b2, c)) {
      assertThat(t.next().text()).isEqualTo("to-many");
    }
    a.toClients("unknown", "node1.nobody", "node9.nobody", "not-clustered");
    a.toClients("marker", b.id, a.id, b2.id);
    assertThat(b.next().text()).isEqualTo("marker");
    assertThat(a.next().text()).isEqualTo("marker");
    assertThat(b2.next().text()).isEqualTo("marker");
  }

  @Test
  void exceptAndDeduplicationAcrossRoomsAndNodes() throws Exception {
    TestClient sender = client(0);
    TestClient both = client(1); // in x and y: gets a message to [x, y] once
    TestClient onlyX = client(2);
    TestClient onlyY = client(2); // node 2 hears [x, y] on both channels, delivers once
    both.join("x");
    both.join("y");
    onlyX.join("x");
    onlyY.join("y");
    sender.join("y");
    nodes.awaitSubscribers("x", 2);
    nodes.awaitSubscribers("y", 3);

    sender.toRooms("xy", "x", "y", "x");
    sender.toRoomsExcept("xy-not-me", List.of(sender.id), "x", "y");
    sender.toRoomsExcept("xy-not-both", List.of(both.id), "x", "y");
    // The marker through the same rooms: on a Redis Cluster only the events of one channel keep
    // their order, and x and y may live on other shards than the nodes' channels.
    sender.toRooms("marker", "x", "y");

    assertThat(both.until("marker")).containsExactly("xy", "xy-not-me", "marker");
    assertThat(onlyX.until("marker")).containsExactly("xy", "xy-not-me", "xy-not-both", "marker");
    assertThat(onlyY.until("marker")).containsExactly("xy", "xy-not-me", "xy-not-both", "marker");
    assertThat(sender.until("marker")).containsExactly("xy", "xy-not-both", "marker");
  }

  @Test
  void roomWithMembersOnOneNodeCausesNoTrafficToOtherNodes() throws Exception {
    TestClient a = client(0);
    TestClient a2 = client(0);
    TestClient b = client(1);
    TestClient c = client(2);
    a.join("solo");
    a2.join("solo");
    nodes.awaitSubscribers("solo", 1);
    a.toClients("sync", b.id, c.id); // whatever Redis still had for nodes 1 and 2 arrives first
    assertThat(b.next().text()).isEqualTo("sync");
    assertThat(c.next().text()).isEqualTo("sync");
    long before1 = nodes.backplanes.get(1).receivedCount();
    long before2 = nodes.backplanes.get(2).receivedCount();

    for (int i = 0; i < 20; i++) {
      a.toRooms("m" + i, "solo");
    }
    a.toClients("marker", b.id, c.id); // published after the room messages, on the node channels
    assertThat(b.next().text()).isEqualTo("marker");
    assertThat(c.next().text()).isEqualTo("marker");
    assertThat(a2.until("m19")).hasSize(20);

    assertThat(nodes.backplanes.get(1).receivedCount()).isEqualTo(before1 + 1);
    assertThat(nodes.backplanes.get(2).receivedCount()).isEqualTo(before2 + 1);
    assertThat(nodes.subscribers("solo")).isEqualTo(1);
  }

  @Test
  void aRoomMessageReachesANodeOncePerNodeNotOncePerMember() throws Exception {
    TestClient sender = client(0);
    List<TestClient> members = List.of(client(1), client(1), client(1));
    for (TestClient m : members) {
      m.join("fan");
    }
    nodes.awaitSubscribers("fan", 1);
    sender.toClients("sync", members.get(0).id); // what Redis still had for node 1 arrives first
    assertThat(members.get(0).next().text()).isEqualTo("sync");
    long before = nodes.backplanes.get(1).receivedCount();

    sender.toRooms("hi all", "fan");
    for (TestClient m : members) {
      assertThat(m.next()).isEqualTo(new Msg(sender.id, "hi all"));
    }
    assertThat(nodes.backplanes.get(1).receivedCount()).isEqualTo(before + 1);
  }

  private static List<String> texts(String prefix, int n, String last) {
    List<String> texts = new ArrayList<>(n + 1);
    for (int i = 0; i < n; i++) {
      texts.add(prefix + i);
    }
    texts.add(last);
    return texts;
  }
}
