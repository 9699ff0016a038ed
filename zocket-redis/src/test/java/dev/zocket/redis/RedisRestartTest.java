package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis is killed and started again on the same port while three nodes run: local delivery goes on
 * meanwhile, and cross-node delivery resumes by itself, including rooms joined during the outage;
 * every node's observers are told of the outage and of the recovery.
 */
@Timeout(90)
class RedisRestartTest {
  @Test
  void crossNodeDeliveryResumesAfterRedisRestarts() throws Exception {
    LeakDetection.install();
    try (RedisServer redis = RedisServer.start();
        Nodes nodes = new Nodes(redis, false, 3)) {
      List<TestClient> clients = new ArrayList<>();
      try {
        TestClient a = new TestClient(nodes.node(0));
        TestClient a2 = new TestClient(nodes.node(0));
        TestClient b = new TestClient(nodes.node(1));
        TestClient c = new TestClient(nodes.node(2));
        clients.addAll(List.of(a, a2, b, c));
        a.join("r");
        a2.join("r");
        b.join("r");
        nodes.awaitSubscribers("r", 2);
        a.toRooms("before", "r");
        assertThat(b.next().text()).isEqualTo("before");
        assertThat(a2.next().text()).isEqualTo("before");
        Await.until("node 0 counted the event", () -> nodes.observers.get(0).published.get() == 1);
        Await.until("node 1 counted the event", () -> nodes.observers.get(1).received.get() == 1);
        assertThat(nodes.observers).allSatisfy(o -> assertThat(o.states).isEmpty());

        redis.kill();
        for (Nodes.BackplaneObserver o : nodes.observers) {
          Await.until("every node reported the outage", () -> o.states.contains("outage"));
        }

        a.toRooms("during", "r"); // lost for node 1, but local members still get it
        assertThat(a2.next().text()).isEqualTo("during");
        c.join("r"); // joined while Redis is away: subscribed after the reconnect

        redis.restart();

        // Probe until a message crosses again (Lettuce reconnects with backoff; 200 ms at most).
        int[] probes = {0};
        boolean[] crossed = {false, false};
        Await.until(
            "cross-node delivery to resume, to b and to c",
            Duration.ofSeconds(20),
            () -> {
              a.toRooms("probe" + probes[0]++, "r");
              crossed[0] |= tookAProbe(b);
              crossed[1] |= tookAProbe(c);
              return crossed[0] && crossed[1];
            });
        nodes.awaitSubscribers("r", 3);
        for (Nodes.BackplaneObserver o : nodes.observers) {
          Await.until("every node reported the recovery", o::recovered);
          assertThat(o.states.get(0)).isEqualTo("outage");
        }

        for (int i = 0; i < 10; i++) {
          a.toRooms("after" + i, "r");
        }
        b.toRooms("from-b", "r");
        for (TestClient t : List.of(a, b, c)) { // two senders: order is kept per sender
          List<String> got = new ArrayList<>();
          while (!got.contains("after9") || !got.contains("from-b")) {
            String text = t.next().text();
            if (!text.startsWith("probe") && !text.equals("before") && !text.equals("during")) {
              got.add(text);
            }
          }
          assertThat(got).containsExactlyInAnyOrder(texts("after", 10, "from-b"));
          assertThat(got.stream().filter(x -> x.startsWith("after")))
              .containsExactly(texts("after", 10));
        }

        c.broadcast("broadcast", false);
        c.toClients("to-a", a.id);
        assertThat(a.until("to-a")).containsExactly("broadcast", "to-a");
        assertThat(b.next().text()).isEqualTo("broadcast");
        assertThat(c.next().text()).isEqualTo("broadcast");
      } finally {
        clients.forEach(TestClient::close);
      }
    }
    LeakDetection.assertNoLeaks();
  }

  /** Takes the messages the client has now; whether one was a probe. */
  private static boolean tookAProbe(TestClient client) {
    boolean probe = false;
    for (ChatApi.Msg m; (m = client.poll()) != null; ) {
      probe |= m.text().startsWith("probe");
    }
    return probe;
  }

  private static List<String> withoutProbes(List<String> texts) {
    return texts.stream().filter(t -> !t.startsWith("probe")).toList();
  }

  private static String[] texts(String prefix, int n) {
    String[] texts = new String[n];
    for (int i = 0; i < n; i++) {
      texts[i] = prefix + i;
    }
    return texts;
  }

  private static String[] texts(String prefix, int n, String last) {
    String[] texts = new String[n + 1];
    for (int i = 0; i < n; i++) {
      texts[i] = prefix + i;
    }
    texts[n] = last;
    return texts;
  }
}
