package dev.zocket.bench.redis;

import dev.zocket.Namespace;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.RedisBackplane;
import dev.zocket.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Room fan-out through the Redis backplane compared with the local path: a server emits events to a
 * room whose members are JDK WebSocket clients on 127.0.0.1, and the tool measures how long the
 * events take to reach every member.
 *
 * <ul>
 *   <li>{@code local}: one server, no backplane (the in-process registry only).
 *   <li>{@code redis-same-node}: two nodes with backplanes; the members are on the emitting node
 *       (local delivery, plus one publish per event that no other node receives).
 *   <li>{@code redis-other-node}: two nodes; the members are on the other node, so every event
 *       crosses Redis once and is fanned out there.
 * </ul>
 *
 * For each: the latency of single events (emit, then wait until every member has it; p50 and p99)
 * and the throughput of a stream of events with at most 16 in flight (events per second until all
 * were delivered, and deliveries per second). Events the server dropped for a slow client would
 * stall the run, which then fails. Bounded in count and time; only 127.0.0.1 is used.
 *
 * <pre>
 * java -cp benchmarks.jar dev.zocket.bench.redis.RedisFanout [--members N] [--events N]
 *     [--rounds N] [--redis redis://127.0.0.1:6379]
 * </pre>
 *
 * Without {@code --redis} it starts {@code redis-server} on a free port and stops it at the end.
 */
public final class RedisFanout {
  /** The bench's one client-to-server contract (members join the room when they connect). */
  @Namespace("bench")
  public interface Bench {
    /** Unused; a contract needs a route. */
    void noop();
  }

  /** The event fanned out. */
  @Namespace("benchev")
  public interface Events {
    /** One event with a sequence number and a small text. */
    void onTick(Tick tick);
  }

  /** The event's payload. */
  public record Tick(long seq, String text) {}

  private static final String ROOM = "bench";
  private static final int WINDOW = 16;
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private RedisFanout() {}

  /**
   * Runs the three set-ups and prints a table.
   *
   * @param args see the class documentation
   */
  public static void main(String[] args) throws Exception {
    int members = 100;
    int events = 5_000;
    int rounds = 500;
    String redisUri = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--members" -> members = Integer.parseInt(args[i + 1]);
        case "--events" -> events = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--redis" -> redisUri = args[i + 1];
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    // Without --redis, a redis-server of its own on a free port (the one the Redis tests use).
    RedisServer redis = redisUri == null ? RedisServer.start() : null;
    if (redis != null) {
      redisUri = redis.uri();
    }
    System.out.printf(
        Locale.ROOT,
        "members=%d events=%d rounds=%d redis=%s cpus=%d%n",
        members,
        events,
        rounds,
        redisUri,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "%-18s %10s %10s %14s %18s%n",
        "setup",
        "p50 (us)",
        "p99 (us)",
        "events/s",
        "deliveries/s");
    try {
      for (int pass = 0; pass < 2; pass++) { // the first pass warms the JIT up and is not shown
        for (String setup : List.of("local", "redis-same-node", "redis-other-node")) {
          run(setup, redisUri, members, events, rounds, pass == 1);
        }
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static void run(
      String setup, String redisUri, int members, int events, int rounds, boolean show)
      throws Exception {
    List<ZocketServer> servers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    HttpClient http = HttpClient.newBuilder().executor(pool).build();
    List<WebSocket> sockets = new ArrayList<>();
    AtomicLong delivered = new AtomicLong();
    try {
      boolean clustered = !setup.equals("local");
      servers.add(server(clustered ? redisUri : null));
      if (clustered) {
        servers.add(server(redisUri));
      }
      ZocketServer emitting = servers.get(0);
      ZocketServer hosting = setup.equals("redis-other-node") ? servers.get(1) : emitting;
      for (int i = 0; i < members; i++) {
        sockets.add(
            http.newWebSocketBuilder()
                .buildAsync(
                    URI.create("ws://127.0.0.1:" + hosting.port() + "/"), counter(delivered))
                .get(10, TimeUnit.SECONDS));
      }
      awaitCount(hosting::connectionCount, members, "members joined");
      Thread.sleep(200); // the SUBSCRIBE of the hosting node reaches Redis
      Events room = emitting.emit(Events.class).toRoom(ROOM);

      // Warm-up, then latency: one event at a time, until every member has it.
      long expected = 0;
      for (int i = 0; i < rounds; i++) {
        room.onTick(new Tick(i, "warm-up"));
        expected += members;
        awaitCount(delivered::get, expected, "warm-up");
      }
      long[] latencies = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        long start = System.nanoTime();
        room.onTick(new Tick(i, "latency"));
        expected += members;
        awaitCount(delivered::get, expected, "latency round");
        latencies[i] = System.nanoTime() - start;
      }
      Arrays.sort(latencies);

      // Throughput: a stream with at most WINDOW events in flight (more would overrun the
      // clients, and the server drops events for connections whose buffer is full).
      long start = System.nanoTime();
      for (int i = 0; i < events; i++) {
        awaitCount(delivered::get, expected - (long) WINDOW * members, "window");
        room.onTick(new Tick(i, "burst"));
        expected += members;
      }
      awaitCount(delivered::get, expected, "burst");
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!show) {
        return;
      }
      System.out.printf(
          Locale.ROOT,
          "%-18s %10.0f %10.0f %14.0f %18.0f%n",
          setup,
          latencies[rounds / 2] / 1e3,
          latencies[(int) (rounds * 0.99)] / 1e3,
          events / seconds,
          events * (double) members / seconds);
    } finally {
      for (WebSocket ws : sockets) {
        ws.abort();
      }
      for (ZocketServer s : servers) {
        s.close();
      }
      pool.shutdownNow();
    }
  }

  private static ZocketServer server(String redisUri) {
    var builder =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .ioThreads(1)
            .handle(
                Bench.class,
                ctx -> {
                  ctx.rooms().join(ROOM);
                  return () -> {};
                });
    if (redisUri != null) {
      builder.backplane(RedisBackplane.create(redisUri));
    }
    return builder.start();
  }

  /** Counts whole text messages. */
  private static WebSocket.Listener counter(AtomicLong delivered) {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (last) {
          delivered.incrementAndGet();
        }
        ws.request(1);
        return null;
      }
    };
  }

  private static void awaitCount(java.util.function.LongSupplier count, long expected, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (count.getAsLong() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Timed out waiting for " + what + ": " + count.getAsLong() + " of " + expected);
      }
      Thread.yield(); // two cores: leave the CPU to the server and clients when they need it
    }
  }
}
