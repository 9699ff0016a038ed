package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.test.internal.RawClient;
import dev.zocket.test.internal.Unmappable.Opaque;
import dev.zocket.test.internal.Unmappable.Unbuildable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LifecycleTest {
  @AfterAll
  static void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  private static Set<String> zocketThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("zocket-"))
        .collect(Collectors.toSet());
  }

  @Test
  void closeSays1001RunsEveryOnDisconnectAndStopsItsThreads() throws Exception {
    List<String> left = new CopyOnWriteArrayList<>();
    ZocketServer server =
        Servers.standard().onDisconnect(ctx -> left.add(ctx.user().name())).start();
    assertThat(server.port()).isPositive();
    JdkClient a = JdkClient.connect(server.port(), "?user-name=A");
    JdkClient b = JdkClient.connect(server.port(), "?user-name=B");
    a.sync();
    b.sync();
    assertThat(zocketThreads()).isNotEmpty();

    server.close();
    assertThat(left).containsExactlyInAnyOrder("A", "B");
    assertThat(a.awaitClose()).isEqualTo(1001);
    assertThat(b.awaitClose()).isEqualTo(1001);
    assertThat(server.connectionCount()).isZero();
    server.close(); // idempotent
    Await.until("every zocket- thread to end", () -> zocketThreads().isEmpty());
    assertThatThrownBy(() -> JdkClient.connect(server.port(), "")).isInstanceOf(Exception.class);
  }

  @Test
  void leavesAGivenExecutorRunning() {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      ZocketServer server = Servers.standard().executor(executor).start();
      try (JdkClient c = JdkClient.connect(server.port(), "?user-name=A")) {
        c.sync();
      }
      server.close();
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void pingsQuietPeersAndClosesSilentOnes() throws Exception {
    try (ZocketServer server =
        Servers.standard()
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofMillis(600))
            .start()) {
      try (JdkClient polite = JdkClient.connect(server.port(), "?user-name=Polite");
          RawClient silent = RawClient.connect(server.port(), "/?user-name=Silent")) {
        RawClient.Frame first = silent.read();
        assertThat(first.opcode()).isEqualTo(RawClient.PING);
        RawClient.Frame close = silent.readSkippingPings(); // never answers: closed as dead
        assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
        assertThat(close.closeStatus()).isEqualTo(1001);
        assertThat(close.text().substring(2)).isEqualTo("Idle timeout");
        assertThat(silent.awaitEof()).isTrue();
        // The JDK client answers pings, so it outlived the silent one and is still usable.
        polite.sync();
        assertThat(polite.closeStatus).isNotDone();
      }
    }
  }

  @Test
  void aClientThatOnlyReceivesIsPingedAndOutlivesTheIdleTimeout() throws Exception {
    // The server writes to this client every 50 ms and the client never sends on its own: only the
    // pongs to the server's pings show that it is alive. (Pinging only connections that were not
    // written to closed it after 600 ms, as the chat's attack test saw after a minute.)
    try (ZocketServer server =
            Servers.standard()
                .pingInterval(Duration.ofMillis(100))
                .idleTimeout(Duration.ofMillis(600))
                .start();
        JdkClient listener = JdkClient.connect(server.port(), "?user-name=Listener")) {
      listener.sync();
      for (int i = 0; i < 40; i++) {
        server.emit(TestApi.Events.class).broadcast().onText("t" + i);
        Thread.sleep(50); // pacing: 2 s of events, more than three idle timeouts
      }
      for (int i = 0; i < 40; i++) {
        assertThat(listener.next())
            .isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"t" + i + "\"}");
      }
      listener.sync();
      assertThat(listener.closeStatus).isNotDone();
    }
  }

  @Test
  void failsToBindAUsedPort() {
    try (ZocketServer first = Servers.standard().start()) {
      assertThatThrownBy(() -> Servers.standard().port(first.port()).start())
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("Cannot bind 127.0.0.1:" + first.port());
    }
  }

  @Test
  void rejectsBadSettingsQuotingTheValue() {
    ZocketServer.Builder<?, ?> b = ZocketServer.builder();
    assertThatThrownBy(() -> b.port(70000)).hasMessage("port must be in [0, 65535]: 70000");
    assertThatThrownBy(() -> b.maxFrameSize(0)).hasMessage("maxFrameSize must be positive: 0");
    assertThatThrownBy(() -> b.path("ws"))
        .hasMessage("path must start with '/' and have no query: 'ws'");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1)))
        .hasMessage("idleTimeout must not be negative: PT-1S");
    assertThatThrownBy(() -> b.host(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("host == null");
    assertThatThrownBy(
            () -> ZocketServer.builder().onConnect((h, id) -> "u").headers(TestApi.Headers.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Call headers() before onConnect()");
    assertThatThrownBy(
            () ->
                ZocketServer.builder()
                    .pingInterval(Duration.ofSeconds(5))
                    .idleTimeout(Duration.ofSeconds(5))
                    .port(0)
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("idleTimeout (PT5S) must be longer than pingInterval (PT5S)");
  }

  public interface TakesUnbuildable {
    void send(Unbuildable u);
  }

  public interface OpaqueEvents {
    void onOpaque(Opaque o);
  }

  @Test
  void aContractTypeJacksonCannotMapFailsTheStartNotTheFirstMessage() {
    assertThatThrownBy(
            () -> Servers.standard().handle(TakesUnbuildable.class, ctx -> u -> {}).start().close())
        .isInstanceOf(dev.zocket.ContractException.class)
        .hasMessageContaining("Unbuildable has no constructor Jackson can use")
        .hasMessageEndingWith("for method TakesUnbuildable.send (parameter 'u')");
    try (ZocketServer server = Servers.standard().start()) {
      assertThatThrownBy(() -> server.emit(OpaqueEvents.class))
          .isInstanceOf(dev.zocket.ContractException.class)
          .hasMessageContaining("Opaque has no properties Jackson can see")
          .hasMessageEndingWith("for method OpaqueEvents.onOpaque (parameter 'o')");
    }
  }
}
