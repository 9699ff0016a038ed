package dev.zocket.bench.faults;

import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.Namespace;
import dev.zocket.bench.jmh.ChatContracts.ChatHeaders;
import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.RedisBackplane;
import dev.zocket.spi.ZocketObserver;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One Zocket server node of the fault harness ({@link FaultDriver}), a process of its own so that
 * {@code kill -9} is real: the chat protocol of the bench servers ({@code rooms.join}, {@code
 * rooms.message}, {@code rooms.onMessage}) on a {@link RedisBackplane}, without a rate limit, and
 * {@code probe.counters}, which answers what the node's {@link ZocketObserver} counted: backplane
 * outages and recoveries, events reported lost (per node they came from) and dropped messages.
 *
 * <p>Usage: {@code FaultNode --redis URI [--cluster] [--node-id ID] [--recovery] [--port 0]};
 * prints {@code LISTENING <port>} once bound. Listens on 127.0.0.1 only.
 */
public final class FaultNode {
  private FaultNode() {}

  /**
   * What a node counted since it started.
   *
   * @param nodeId the node's backplane id
   * @param outages backplane outages ({@code onBackplaneOutage})
   * @param recoveries their ends ({@code onBackplaneRecovered})
   * @param lost events of other nodes that did not arrive here ({@code onBackplaneLost}), in all
   * @param lostFrom the same per node they came from
   * @param dropped dropped messages ({@code onDropped}) per reason
   * @param received events from other nodes written to local clients ({@code onBackplaneReceived})
   */
  public record Counters(
      String nodeId,
      long outages,
      long recoveries,
      long lost,
      Map<String, Long> lostFrom,
      Map<String, Long> dropped,
      long received) {}

  /** The harness's view into a node. */
  @Namespace("probe")
  public interface Probe {
    /**
     * What the node counted so far.
     *
     * @return the counters
     */
    Counters counters();
  }

  /** Runs a node until the process is killed; see the class documentation. */
  public static void main(String[] args) throws InterruptedException {
    String redis = null;
    boolean cluster = false;
    boolean recovery = false;
    String nodeId = null;
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--redis" -> redis = args[++i];
        case "--cluster" -> cluster = true;
        case "--recovery" -> recovery = true;
        case "--node-id" -> nodeId = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    if (redis == null) {
      throw new IllegalArgumentException("--redis URI is required");
    }
    RedisBackplane.Builder backplane = RedisBackplane.builder(redis).cluster(cluster);
    if (nodeId != null) {
      backplane.nodeId(nodeId);
    }
    ZocketServer server = start(backplane.build(), recovery, port);
    System.out.println("LISTENING " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }

  /**
   * Starts a node on 127.0.0.1.
   *
   * @param backplane its backplane, not started
   * @param recovery whether sessions are recovered (the backplane's store, 2 minutes, 100,000
   *     events)
   * @param port its port, 0 for any
   * @return the running server
   */
  static ZocketServer start(RedisBackplane backplane, boolean recovery, int port) {
    Counting counting = new Counting(backplane.nodeId());
    ZocketServer.Builder<ChatHeaders, String> builder =
        ZocketServer.builder()
            .headers(ChatHeaders.class)
            .onConnect((headers, clientId) -> headers.userName())
            .handle(Rooms.class, Chat::new)
            .handle(Probe.class, ctx -> counting::counters)
            .observer(counting)
            .backplane(backplane)
            .host("127.0.0.1")
            .port(port)
            .rateLimit(0, 1);
    if (recovery) {
      builder.recovery(Duration.ofMinutes(2), 100_000);
    }
    return builder.start();
  }

  /** The chat's rooms: join, and post to a room one is in. */
  private static final class Chat implements Rooms {
    private final Context<String> ctx;

    Chat(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(RoomId request) {
      ctx.rooms().join(request.roomId());
      ctx.emit(RoomEvents.class)
          .toRoom(request.roomId())
          .onJoin(new Joined(request.roomId(), ctx.user()));
    }

    @Override
    public void message(PostMessage m) {
      if (!ctx.rooms().has(m.roomId())) {
        return;
      }
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      ctx.emit(RoomEvents.class)
          .toRoom(m.roomId())
          .onMessage(new ChatMessage(m.roomId(), ctx.user(), m.content(), now));
    }

    @Override
    public List<String> members(RoomId request) {
      return List.of();
    }
  }

  /** The node's observer: counts what the harness compares with what the clients saw. */
  static final class Counting implements ZocketObserver {
    private final String nodeId;
    private final AtomicLong outages = new AtomicLong();
    private final AtomicLong recoveries = new AtomicLong();
    private final Map<String, LongAdder> lostFrom = new ConcurrentHashMap<>();
    private final Map<DropReason, LongAdder> dropped = new ConcurrentHashMap<>();
    private final LongAdder received = new LongAdder();

    Counting(String nodeId) {
      this.nodeId = nodeId;
    }

    @Override
    public void onBackplaneOutage() {
      outages.incrementAndGet();
    }

    @Override
    public void onBackplaneRecovered() {
      recoveries.incrementAndGet();
    }

    @Override
    public void onBackplaneLost(String fromNodeId, long events) {
      lostFrom.computeIfAbsent(fromNodeId, n -> new LongAdder()).add(events);
    }

    @Override
    public void onDropped(DropReason reason) {
      dropped.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public void onBackplaneReceived(int recipients, int bytes) {
      received.increment();
    }

    Counters counters() {
      Map<String, Long> lost = new TreeMap<>();
      lostFrom.forEach((node, n) -> lost.put(node, n.sum()));
      Map<String, Long> drops = new TreeMap<>();
      dropped.forEach((reason, n) -> drops.put(reason.name(), n.sum()));
      long total = lost.values().stream().mapToLong(Long::longValue).sum();
      return new Counters(
          nodeId, outages.get(), recoveries.get(), total, lost, drops, received.sum());
    }
  }
}
