package dev.zocket.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import dev.zocket.testsupport.Unmappable.Opaque;
import dev.zocket.testsupport.Unmappable.Unbuildable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  void aFrameOrAMessageDribbledForEverIsCutAtTheIdleTimeout() throws Exception {
    // Before, any byte read restarted the idle timer: a byte of an unfinished frame every 20 s kept
    // a socket for ever under the 60 s timeout. Here: a byte every 100 ms against 2 s (long enough
    // that the polite client's pongs and the fragmenter below have ample time on a busy machine).
    try (ZocketServer server =
            Servers.standard()
                .pingInterval(Duration.ofMillis(250))
                .idleTimeout(Duration.ofSeconds(2))
                .start();
        JdkClient polite = JdkClient.connect(server.port(), "?user-name=Polite")) {
      polite.sync();
      AtomicBoolean stop = new AtomicBoolean();
      // One frame of 1,000 bytes, a byte at a time (the whole would take 100 s).
      byte[] frame = RawClient.frame(RawClient.TEXT, true, 0, "x".repeat(1000).getBytes(UTF_8));
      List<byte[]> bytes = new ArrayList<>();
      for (byte b : frame) {
        bytes.add(new byte[] {b});
      }
      // A fragmented message whose fragments, a byte each, come with a ping between them.
      List<byte[]> fragments = new ArrayList<>();
      fragments.add(RawClient.frame(RawClient.TEXT, false, 0, "{\"type\":".getBytes(UTF_8)));
      for (int i = 0; i < 1000; i++) {
        fragments.add(RawClient.frame(0, false, 0, new byte[] {' '}));
        fragments.add(RawClient.frame(RawClient.PING, true, 0, new byte[] {'p'}));
      }
      // Each starts to dribble as soon as it is connected.
      AtomicInteger sent1 = new AtomicInteger();
      AtomicInteger sent2 = new AtomicInteger();
      RawClient frameDribbler = RawClient.connect(server.port(), "/?user-name=D1");
      Thread d1 = dribble(frameDribbler, bytes, stop, sent1);
      RawClient fragmentDribbler = RawClient.connect(server.port(), "/?user-name=D2");
      Thread d2 = dribble(fragmentDribbler, fragments, stop, sent2);
      try {
        for (RawClient dribbler : List.of(frameDribbler, fragmentDribbler)) {
          RawClient.Frame close = readSkipping(dribbler, RawClient.PING, RawClient.PONG);
          assertThat(close).isNotNull();
          assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
          assertThat(close.closeStatus()).isEqualTo(1001);
          assertThat(close.text().substring(2)).isEqualTo("Idle timeout");
        }
        // They were cut while sending, not before they began.
        assertThat(sent1.get()).isGreaterThanOrEqualTo(3);
        assertThat(sent2.get()).isGreaterThanOrEqualTo(3);
        // A message in fragments that arrives whole within the timeout is handled.
        try (RawClient fragmenter = RawClient.connect(server.port(), "/?user-name=F")) {
          byte[] call = "{\"type\":\"t.whoami\",\"rpcId\":\"w\"}".getBytes(UTF_8);
          int third = call.length / 3;
          fragmenter.send(RawClient.TEXT, false, Arrays.copyOfRange(call, 0, third));
          Thread.sleep(150);
          fragmenter.send(0, false, Arrays.copyOfRange(call, third, 2 * third));
          Thread.sleep(150);
          fragmenter.send(0, true, Arrays.copyOfRange(call, 2 * third, call.length));
          fragmenter.readTimeout(10_000);
          RawClient.Frame reply = fragmenter.readSkippingPings();
          assertThat(reply.text())
              .startsWith("{\"type\":\"__rpc_res\",\"payload\":{\"name\":\"F\"");
        }
        // The client that answers pings outlived both dribblers and is still served.
        polite.sync();
        assertThat(polite.closeStatus).isNotDone();
      } finally {
        stop.set(true);
        frameDribbler.close();
        fragmentDribbler.close();
        d1.join(10_000);
        d2.join(10_000);
      }
    }
  }

  /** Sends the pieces one every 100 ms, on a thread of its own, until stopped or refused. */
  private static Thread dribble(
      RawClient c, List<byte[]> pieces, AtomicBoolean stop, AtomicInteger sent) {
    Thread t =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < pieces.size() && !stop.get(); i++) {
                  c.sendRaw(pieces.get(i));
                  sent.incrementAndGet();
                  Thread.sleep(100);
                }
              } catch (IOException | InterruptedException e) {
                // closed by the server: the end of the dribble
              }
            },
            "dribbler");
    t.start();
    return t;
  }

  /**
   * The next frame whose opcode is not one of {@code skipped}, or null at the end; fails if none
   * came within 10 s.
   */
  private static RawClient.Frame readSkipping(RawClient c, int... skipped) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    c.readTimeout(10_000);
    while (System.nanoTime() < deadline) {
      RawClient.Frame f = c.read();
      if (f == null || Arrays.stream(skipped).noneMatch(op -> op == f.opcode())) {
        return f;
      }
    }
    throw new AssertionError("no other frame within 10 s");
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
