package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.internal.Observers;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recovery store is bounded in bytes beside its count of events (#24, item 3): clients that
 * flood a room with large events at full speed push the oldest events out instead of filling the
 * heap, healthy clients keep receiving, and a parked session whose missed events were pushed out
 * resumes as a fresh session.
 */
@Timeout(60)
class RecoveryMemoryTest {
  private static final Pattern SESSION =
      Pattern.compile(
          "\\{\"type\":\"__session\",\"payload\":\\{\"session\":\"([A-Za-z0-9_-]+)\","
              + "\"pos\":\"([0-9]+)\",\"recovered\":(true|false)}}");

  /** The store's bound, small so that a few megabytes of events reach it many times over. */
  private static final long BOUND = 2 * 1024 * 1024;

  private static final int ATTACKERS = 4;
  private static final int EVENTS_EACH = 60;
  private static final int EVENT_CHARS = 30_000;
  private static final int CALM_MESSAGES = 20;

  @Test
  void largeEventsAtFullSpeedStayWithinTheStoresBytes() throws Exception {
    ZocketServer server =
        Servers.standard()
            .recovery(Duration.ofSeconds(30), 10_000) // the count alone would keep every event
            .maxRecoveryMemory(BOUND)
            .start();
    MemoryRecoveryStore store = (MemoryRecoveryStore) server.recoveryStore();
    try {
      // A session that joins the flooded room, then loses its network before the flood.
      RawClient parked = RawClient.connect(server.port(), "/?user-name=P&x-zocket-recovery=1");
      Matcher first = session(parked);
      String token = first.group(1);
      String position = first.group(2);
      parked.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"flood\"},\"rpcId\":\"j\"}");
      assertThat(parked.readSkippingPings().text()).contains("\"rpcId\":\"j\"");
      parked.abort();

      // Two healthy clients talking in a room of their own.
      JdkClient alice = JdkClient.connect(server.port(), "?user-name=Alice");
      JdkClient bob = JdkClient.connect(server.port(), "?user-name=Bob");
      for (JdkClient c : List.of(alice, bob)) {
        c.call("t.join", "{\"roomId\":\"calm\"}");
        assertThat(c.next()).contains("\"__rpc_res\"");
      }
      Await.until("the parked session's connection dropped", () -> server.connectionCount() == 2);

      // The flood, and the store's bytes read all along.
      AtomicBoolean flooding = new AtomicBoolean(true);
      AtomicLong most = new AtomicLong();
      CompletableFuture<Void> sampler =
          CompletableFuture.runAsync(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                while (flooding.get() && System.nanoTime() < deadline) {
                  most.accumulateAndGet(store.bytes(), Math::max);
                  LockSupport.parkNanos(100_000);
                }
              });
      String text = "x".repeat(EVENT_CHARS);
      String say =
          "{\"type\":\"t.say\",\"payload\":{\"roomId\":\"flood\",\"text\":\"" + text + "\"}}";
      List<CompletableFuture<Void>> attackers = new ArrayList<>();
      List<RawClient> attackerClients = new ArrayList<>();
      for (int a = 0; a < ATTACKERS; a++) {
        RawClient attacker = RawClient.connect(server.port(), "/?user-name=M" + a);
        attackerClients.add(attacker);
        attackers.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    for (int i = 0; i < EVENTS_EACH; i++) {
                      attacker.sendText(say);
                    }
                    // A call after the flood: its answer says every message before it was handled.
                    attacker.sendText("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"done\"}");
                    assertThat(attacker.readSkippingPings().text()).contains("\"rpcId\":\"done\"");
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }));
      }
      for (int i = 0; i < CALM_MESSAGES; i++) {
        alice.call("t.say", "{\"roomId\":\"calm\",\"text\":\"hello " + i + "\"}");
      }
      CompletableFuture.allOf(attackers.toArray(new CompletableFuture<?>[0]))
          .get(40, TimeUnit.SECONDS);
      flooding.set(false);
      sampler.get(10, TimeUnit.SECONDS);

      // Far more was sent than the bound; the store never held more than it.
      long sent = (long) ATTACKERS * EVENTS_EACH * EVENT_CHARS;
      assertThat(sent).isGreaterThan(3 * BOUND);
      assertThat(most.get()).isPositive().isLessThanOrEqualTo(BOUND);
      assertThat(store.bytes()).isGreaterThan(BOUND / 2).isLessThanOrEqualTo(BOUND);

      // The healthy clients lost nothing: Bob got every one of Alice's messages, in order.
      for (int i = 0; i < CALM_MESSAGES; i++) {
        assertThat(nextEvent(bob).replaceFirst(",\"pos\":\"[0-9]+\"}$", "}"))
            .isEqualTo(
                "{\"type\":\"ev.onMessage\",\"payload\":{\"roomId\":\"calm\",\"from\":\"Alice\","
                    + "\"text\":\"hello "
                    + i
                    + "\"}}");
      }

      // The parked session missed events that are no longer kept: it starts afresh.
      RawClient back =
          RawClient.connect(
              server.port(),
              "/?user-name=P&x-zocket-recovery=1&x-zocket-session="
                  + token
                  + "&x-zocket-pos="
                  + position);
      Matcher resumed = session(back);
      assertThat(resumed.group(3)).isEqualTo("false");
      assertThat(resumed.group(1)).isNotEqualTo(token);
      back.close();
      for (RawClient c : attackerClients) {
        c.close();
      }
      alice.close();
      bob.close();
    } finally {
      server.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void anEventLargerThanTheBoundIsDeliveredButNotKept() {
    Target room = new Target(Target.Kind.ROOMS, List.of("r"), List.of());
    long small = MemoryRecoveryStore.cost(room, new byte[10]);
    MemoryRecoveryStore store =
        new MemoryRecoveryStore(60_000, 100, 2 * small, () -> 0L, Observers.NONE);
    List<String> delivered = new ArrayList<>();
    store.start(e -> delivered.add(e.position()));
    try {
      store.append(room, new byte[10]);
      store.append(room, new byte[10]);
      assertThat(store.bytes()).isEqualTo(2 * small);
      store.append(room, new byte[(int) (2 * small)]);
      assertThat(delivered).containsExactly("1", "2", "3");
      assertThat(store.bytes()).isZero();
      // Every event after 0, 1 or 2 is gone: those positions resume afresh; 3 misses nothing.
      List<List<RecoveryStore.Event>> resumed = new ArrayList<>();
      for (String position : List.of("0", "2", "3")) {
        store.resume(position, resumed::add);
      }
      assertThat(resumed).containsExactly(null, null, List.of());
      store.append(room, new byte[10]);
      assertThat(store.bytes()).isEqualTo(small);
    } finally {
      store.close();
    }
  }

  /** The {@code __session} message a recovering client gets first. */
  private static Matcher session(RawClient client) throws java.io.IOException {
    String text = client.readSkippingPings().text();
    Matcher m = SESSION.matcher(text);
    assertThat(m.matches()).as(text).isTrue();
    return m;
  }

  /** Bob's next event, skipping the replies to his own calls. */
  private static String nextEvent(JdkClient client) {
    String next = client.next();
    while (next.contains("\"__rpc_res\"")) {
      next = client.next();
    }
    return next;
  }
}
