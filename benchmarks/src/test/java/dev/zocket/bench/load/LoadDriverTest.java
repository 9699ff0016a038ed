package dev.zocket.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.zocket.Context;
import dev.zocket.bench.baseline.RawChatServer;
import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.bench.zocket.Feeds;
import dev.zocket.bench.zocket.ZocketChatServer;
import dev.zocket.netty.IoTransport;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the load tools: the driver runs tiny bounded scenarios against the raw baseline
 * server and against a Zocket server of the same protocol, and nothing is lost or reordered.
 */
@Timeout(120)
@ExtendWith(LeakDetection.class)
class LoadDriverTest {
  private static RawChatServer baseline;
  private static ZocketServer zocket;

  @BeforeAll
  static void start() throws Exception {
    baseline = RawChatServer.start("127.0.0.1", 0);
    zocket =
        ZocketServer.builder()
            .onConnect((headers, clientId) -> headers.getOrDefault("user-name", "Anonymous"))
            .handle(Rooms.class, Chat::new)
            .handle(Feeds.Feed.class, ctx -> new Feeds.Handler())
            .host("127.0.0.1")
            .port(0)
            .ioThreads(1)
            .rateLimit(0, 1)
            .start();
  }

  @AfterAll
  static void stop() {
    baseline.close();
    zocket.close();
  }

  /**
   * Runs the driver with a short warm-up and window; {@code args} come last, so they may set
   * another.
   */
  private static Map<String, Object> run(int port, String... args) throws Exception {
    String[] all = new String[args.length + 10];
    System.arraycopy(args, 0, all, 10, args.length);
    String[] common = {
      "--port",
      Integer.toString(port),
      "--warmup",
      "0.2",
      "--duration",
      "0.5",
      "--deadline",
      "60",
      "--hold",
      "0"
    };
    System.arraycopy(common, 0, all, 0, common.length);
    return LoadDriver.run(LoadDriver.Options.parse(all));
  }

  /** A small fan-out: 20 clients, 3 senders, 200 messages each; {@code more} arguments last. */
  private static Map<String, Object> smallFanout(int port, String... more) throws Exception {
    String[] args = {
      "--scenario",
      "fanout",
      "--clients",
      "20",
      "--senders",
      "3",
      "--window",
      "8",
      "--max-messages",
      "200"
    };
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return run(port, all);
  }

  /**
   * A small fan-out whose server CPU is read from this JVM's /proc entries (the servers run in it).
   */
  private static Map<String, Object> measuredFanout(int port) throws Exception {
    return smallFanout(
        port, "--server-pid", Long.toString(ProcessHandle.current().pid()), "--clock-ticks", "100");
  }

  private static void assertClean(Map<String, Object> r) {
    assertThat(r).doesNotContainKey("error");
    assertThat(r.get("lost")).isEqualTo(0L);
    assertThat(r.get("reordered")).isEqualTo(0L);
    assertThat((Long) r.get("delivered")).isPositive();
    assertThat((Long) r.get("delivered")).isEqualTo((Long) r.get("sent") * expectedCopies(r));
  }

  private static long expectedCopies(Map<String, Object> r) {
    @SuppressWarnings("unchecked") // params is built by the driver as a map
    Map<String, Object> p = (Map<String, Object>) r.get("params");
    return switch ((String) r.get("scenario")) {
      case "fanout" -> ((Number) p.get("clients")).longValue();
      case "rooms" -> ((Number) p.get("roomSize")).longValue();
      default -> 1;
    };
  }

  @Test
  void fanoutAgainstBaselineWithTheServerCpuSplitIntoUserAndKernelTime() throws Exception {
    // The servers run in this JVM: its own /proc/<pid>/stat is the server's.
    Map<String, Object> r = measuredFanout(baseline.port());
    assertClean(r);
    double user = ((Number) r.get("serverUserCpuS")).doubleValue();
    double kernel = ((Number) r.get("serverKernelCpuS")).doubleValue();
    assertThat(user + kernel)
        .isCloseTo(((Number) r.get("serverCpuS")).doubleValue(), within(0.002));
    assertThat(user).isPositive();
    assertThat(r).containsKeys("userNsPerDelivery", "kernelNsPerDelivery");
  }

  @Test
  void pacedSendersNeverSendAheadOfTheRate() throws Exception {
    // 4 rooms of 3 at 50 messages per second each: 200 per second in all. A busy machine may fall
    // behind; a pacer that sends ahead of its rate is wrong.
    Map<String, Object> r =
        run(
            baseline.port(),
            "--scenario",
            "rooms",
            "--rooms",
            "4",
            "--room-size",
            "3",
            "--window",
            "4",
            "--rate",
            "50",
            "--duration",
            "1");
    assertClean(r);
    assertThat(r.get("targetPerS")).isEqualTo(200L);
    // Within the 1 s window each of the 12 senders may have one message due at its edge.
    assertThat((Long) r.get("windowSent")).isPositive().isLessThanOrEqualTo(200 + 12);
    assertThatThrownBy(() -> LoadDriver.Options.parse("--scenario", "calls", "--rate", "5"))
        .hasMessageContaining("--rate");
  }

  @Test
  void theServerCpuIsAlsoSplitByThread() throws Exception {
    // The Zocket server runs in this JVM, with its I/O thread, the JIT's and the collector's.
    Map<String, Object> r = measuredFanout(zocket.port());
    assertClean(r);
    assertThat(r)
        .containsKeys(
            "ioUserNsPerDelivery", "ioKernelNsPerDelivery", "jitNsPerDelivery", "gcNsPerDelivery");
    long total =
        ((Number) r.get("userNsPerDelivery")).longValue()
            + ((Number) r.get("kernelNsPerDelivery")).longValue();
    long parts =
        ((Number) r.get("ioUserNsPerDelivery")).longValue()
            + ((Number) r.get("ioKernelNsPerDelivery")).longValue()
            + ((Number) r.get("jitNsPerDelivery")).longValue()
            + ((Number) r.get("gcNsPerDelivery")).longValue();
    assertThat(parts).isBetween(0L, total + 4); // each figure rounded on its own

    long[] own = LoadDriver.threadTicks(Long.toString(ProcessHandle.current().pid()));
    assertThat(own).hasSize(4).doesNotContain(-1L);
    assertThat(own[2]).as("this JVM's JIT has compiled something").isPositive();
    assertThat(LoadDriver.threadTicks("0")).containsOnly(-1L);
  }

  @Test
  void roomsAndCallsAgainstBaseline() throws Exception {
    assertClean(
        run(
            baseline.port(),
            "--scenario",
            "rooms",
            "--rooms",
            "5",
            "--room-size",
            "4",
            "--window",
            "2",
            "--max-messages",
            "100"));
    Map<String, Object> calls =
        run(
            baseline.port(),
            "--scenario",
            "calls",
            "--clients",
            "5",
            "--in-flight",
            "4",
            "--max-messages",
            "200");
    assertClean(calls);
    assertThat(calls.get("badReplies")).isEqualTo(0L);
    Map<String, Object> stream =
        run(
            zocket.port(),
            "--scenario",
            "stream",
            "--clients",
            "3",
            "--window",
            "64",
            "--max-messages",
            "2000",
            // The window ends once every item is streamed: a busy machine takes longer than 0.5 s.
            "--duration",
            "30");
    assertClean(stream);
    assertThat(stream.get("delivered")).isEqualTo(6_000L);
    assertThat(stream.get("badReplies")).isEqualTo(0L);
  }

  @Test
  void idleAgainstBaseline() throws Exception {
    Map<String, Object> r =
        run(baseline.port(), "--scenario", "idle", "--clients", "30", "--room-size", "10");
    assertThat(r).doesNotContainKey("error");
    assertThat(r.get("openAtEnd")).isEqualTo(30L);
  }

  @Test
  void sameScenariosAgainstZocket() throws Exception {
    assertClean(smallFanout(zocket.port()));
    Map<String, Object> calls =
        run(
            zocket.port(),
            "--scenario",
            "calls",
            "--clients",
            "5",
            "--in-flight",
            "4",
            "--max-messages",
            "200");
    assertClean(calls);
    assertThat(calls.get("badReplies")).isEqualTo(0L);
    Map<String, Object> stream =
        run(
            zocket.port(),
            "--scenario",
            "stream",
            "--clients",
            "3",
            "--window",
            "64",
            "--max-messages",
            "2000",
            // The window ends once every item is streamed: a busy machine takes longer than 0.5 s.
            "--duration",
            "30");
    assertClean(stream);
    assertThat(stream.get("delivered")).isEqualTo(6_000L);
    assertThat(stream.get("badReplies")).isEqualTo(0L);
  }

  @Test
  void fanoutOverTlsToTheBaselineAndToZocket(@TempDir Path dir) throws Exception {
    Certificates certificates = Certificates.create(dir);
    RawChatServer rawTls =
        RawChatServer.start(
            "127.0.0.1",
            0,
            SslContextBuilder.forServer(
                    certificates.certificatePem().toFile(), certificates.privateKeyPem().toFile())
                .build());
    ZocketServer zocketTls =
        ZocketChatServer.start(
            "127.0.0.1",
            0,
            1,
            0,
            false,
            certificates.certificatePem(),
            certificates.privateKeyPem(),
            null,
            IoTransport.AUTO);
    try {
      for (int port : new int[] {rawTls.port(), zocketTls.port()}) {
        Map<String, Object> r =
            run(
                port,
                "--scenario",
                "fanout",
                "--clients",
                "10",
                "--senders",
                "2",
                "--window",
                "8",
                "--max-messages",
                "100",
                "--tls-trust",
                certificates.certificatePem().toString());
        assertClean(r);
        assertThat(r).containsKey("tls");
      }
    } finally {
      rawTls.close();
      zocketTls.close();
    }
  }

  @Test
  void clientsAskingForRecoveryAgainstZocketWithRecovery() throws Exception {
    ZocketServer recovering =
        ZocketChatServer.start("127.0.0.1", 0, 1, 0, true, null, null, null, IoTransport.AUTO);
    try {
      assertClean(smallFanout(recovering.port(), "--recovery-clients", "true"));
      Map<String, Object> calls =
          run(
              recovering.port(),
              "--scenario",
              "calls",
              "--clients",
              "5",
              "--in-flight",
              "4",
              "--max-messages",
              "200",
              "--recovery-clients",
              "true");
      assertClean(calls);
      assertThat(calls.get("badReplies")).isEqualTo(0L);
    } finally {
      recovering.close();
    }
  }

  @Test
  void idleConnectionsSpreadOverSourceAddresses() throws Exception {
    Map<String, Object> r =
        run(
            baseline.port(),
            "--scenario",
            "idle",
            "--clients",
            "30",
            "--room-size",
            "10",
            "--source-addresses",
            "3");
    assertThat(r).doesNotContainKey("error");
    assertThat(r.get("openAtEnd")).isEqualTo(30L);
    assertThat(r.get("sourceAddresses")).isEqualTo(3);
  }

  @Test
  void theWindowWaitsForItsHookAndAnnouncesItsEnd(@TempDir Path dir) throws Exception {
    Thread tool =
        new Thread(
            () -> {
              try {
                Await.until(
                    "the window to start",
                    Duration.ofSeconds(30),
                    () -> Files.exists(dir.resolve("start")));
                Files.writeString(dir.resolve("go"), "");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    tool.start();
    Map<String, Object> r =
        run(
            baseline.port(),
            "--scenario",
            "fanout",
            "--clients",
            "5",
            "--window",
            "8",
            "--max-messages",
            "100",
            "--window-hooks",
            dir.toString());
    tool.join(30_000);
    assertClean(r);
    assertThat(r.get("windowHooked")).isEqualTo(true);
    assertThat(dir.resolve("end")).exists();
  }

  @Test
  void aFailedConnectionEndsTheRunWithItsError() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Map<String, Object> r = run(closed, "--scenario", "fanout", "--clients", "3");
    assertThat((String) r.get("error")).contains("connections failed");
  }

  @Test
  void sourceAddressesStayWithinOneOctet() {
    assertThatThrownBy(() -> LoadDriver.Options.parse("--source-addresses", "255"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--source-addresses");
  }

  /** The chat protocol on Zocket: joins and posts go to the room, members answers the room. */
  static final class Chat implements Rooms {
    private final Context<String> ctx;
    private final String name;

    Chat(Context<String> ctx) {
      this.ctx = ctx;
      this.name = ctx.user();
    }

    @Override
    public void join(RoomId request) {
      ctx.rooms().join(request.roomId());
      ctx.emit(RoomEvents.class)
          .toRoom(request.roomId())
          .onJoin(new Joined(request.roomId(), name));
    }

    @Override
    public void message(PostMessage m) {
      if (ctx.rooms().has(m.roomId())) {
        ctx.emit(RoomEvents.class)
            .toRoom(m.roomId())
            .onMessage(new ChatMessage(m.roomId(), name, m.content(), Instant.now()));
      }
    }

    @Override
    public List<String> members(RoomId request) {
      // Each calls client is alone in its room.
      return List.of(name);
    }
  }
}
