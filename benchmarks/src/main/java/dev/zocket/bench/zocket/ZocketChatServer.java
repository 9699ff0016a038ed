package dev.zocket.bench.zocket;

import dev.zocket.Context;
import dev.zocket.bench.jmh.ChatContracts.ChatHeaders;
import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.netty.IoTransport;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.RedisBackplane;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chat protocol on Zocket, configured for measuring the library: the headers and handlers of
 * the chat example ({@code @NonBlocking}), one I/O thread, and no per-connection rate limit (the
 * chat example keeps the library's default of 1,000 messages per second, which a load run exceeds),
 * and a streaming route for the load driver's stream scenario ({@link Feeds}).
 *
 * <p>Usage: {@code ZocketChatServer [--port N] [--host 127.0.0.1] [--io-threads 1] [--rate-limit 0]
 * [--recovery] [--tls-cert PEM --tls-key PEM] [--redis URI [--redis-cluster] [--node-id ID]]
 * [--transport auto|epoll|io_uring|nio]}; prints {@code LISTENING <port>} once bound. {@code
 * --transport} chooses the server's {@link IoTransport} (default {@code auto}). {@code --recovery}
 * turns on connection-state recovery with the in-memory store (window 2 minutes, the last 10,000
 * events, as docs/recovery.md's example), so that every event is numbered and kept; {@code
 * --tls-cert} and {@code --tls-key} serve {@code wss://} with a certificate chain and its PKCS#8
 * key in PEM files ({@link ZocketServer.Builder#tls}, Netty's default TLS provider). With {@code
 * --redis} the server is one node of several sharing that Redis through a {@link RedisBackplane}
 * (the load script's cross-node scenarios): rooms' events reach the members on the other nodes.
 * {@code --redis-cluster} takes the URI as a seed of a Redis Cluster (sharded pub/sub), {@code
 * --node-id} names the node (a random id otherwise).
 */
public final class ZocketChatServer {
  private ZocketChatServer() {}

  /** Starts a server without recovery nor TLS; see the class documentation. */
  public static ZocketServer start(String host, int port, int ioThreads, int rateLimit) {
    return start(host, port, ioThreads, rateLimit, false, null, null, null, IoTransport.AUTO);
  }

  /**
   * Starts a server; see the class documentation.
   *
   * @param recovery whether connection-state recovery is on (in-memory store)
   * @param tlsCert the PEM certificate chain to serve {@code wss://} with, or null for {@code
   *     ws://}
   * @param tlsKey the PEM private key of {@code tlsCert}, or null
   * @param backplane the Redis backplane the server owns (closed with it), or null for one node
   * @param transport how the I/O threads use the sockets
   */
  public static ZocketServer start(
      String host,
      int port,
      int ioThreads,
      int rateLimit,
      boolean recovery,
      Path tlsCert,
      Path tlsKey,
      RedisBackplane backplane,
      IoTransport transport) {
    Map<String, Map<String, String>> roster = new ConcurrentHashMap<>();
    ZocketServer.Builder<ChatHeaders, String> b =
        ZocketServer.builder()
            .headers(ChatHeaders.class)
            .onConnect((headers, clientId) -> headers.userName())
            .onDisconnect(
                ctx -> {
                  for (String room : ctx.rooms().current()) {
                    Map<String, String> names = roster.get(room);
                    if (names != null) {
                      names.remove(ctx.clientId());
                    }
                  }
                })
            .handle(Rooms.class, ctx -> new Handler(ctx, roster))
            // The load driver's stream scenario.
            .handle(Feeds.Feed.class, ctx -> new Feeds.Handler())
            .host(host)
            .port(port)
            .ioThreads(ioThreads)
            .rateLimit(rateLimit, 1000)
            // The rooms scenario opens 10,000 connections and the idle row up to 20,000 or
            // more; the default limit under -Xmx1g is 8,192 (a connection's worst-case direct
            // memory), which would refuse the last ones with 503.
            .maxConnections(100_000)
            // Hundreds of TLS handshakes at once on one busy core can take longer than the
            // default 10 s from accept to upgrade; a load run is not an attack.
            .handshakeTimeout(Duration.ofSeconds(60))
            .transport(transport);
    if (recovery) {
      b.recovery(Duration.ofMinutes(2), 10_000);
    }
    if (backplane != null) {
      b.backplane(backplane);
    }
    if (tlsCert != null) {
      b.tls(tlsCert, tlsKey);
    }
    return b.start();
  }

  /** Runs the server until the process is killed. */
  public static void main(String[] args) throws InterruptedException {
    String host = "127.0.0.1";
    int port = 3000;
    int ioThreads = 1;
    int rateLimit = 0;
    boolean recovery = false;
    IoTransport transport = IoTransport.AUTO;
    Path tlsCert = null;
    Path tlsKey = null;
    String redis = null;
    boolean redisCluster = false;
    String nodeId = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--redis" -> redis = args[++i];
        case "--redis-cluster" -> redisCluster = true;
        case "--node-id" -> nodeId = args[++i];
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
        case "--rate-limit" -> rateLimit = Integer.parseInt(args[++i]);
        case "--recovery" -> recovery = true;
        case "--transport" -> transport = IoTransport.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--tls-cert" -> tlsCert = Path.of(args[++i]);
        case "--tls-key" -> tlsKey = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    if (redis == null && (redisCluster || nodeId != null)) {
      throw new IllegalArgumentException("--redis-cluster and --node-id need --redis URI");
    }
    RedisBackplane backplane = null;
    if (redis != null) {
      RedisBackplane.Builder b = RedisBackplane.builder(redis).cluster(redisCluster);
      if (nodeId != null) {
        b.nodeId(nodeId);
      }
      backplane = b.build();
    }
    ZocketServer server =
        start(host, port, ioThreads, rateLimit, recovery, tlsCert, tlsKey, backplane, transport);
    System.out.println(
        "LISTENING "
            + server.port()
            + (recovery ? " recovery" : "")
            + (tlsCert != null ? " tls " + SslContext.defaultServerProvider() : ""));
    System.out.flush();
    Thread.currentThread().join();
  }

  /** The chat example's handler: joins and leaves notify the room, only members post. */
  private static final class Handler implements Rooms {
    private final Context<String> ctx;
    private final Map<String, Map<String, String>> roster;

    Handler(Context<String> ctx, Map<String, Map<String, String>> roster) {
      this.ctx = ctx;
      this.roster = roster;
    }

    @Override
    public void join(RoomId request) {
      String room = request.roomId();
      ctx.rooms().join(room);
      roster
          .computeIfAbsent(room, r -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()))
          .put(ctx.clientId(), ctx.user());
      ctx.emit(RoomEvents.class).toRoom(room).onJoin(new Joined(room, ctx.user()));
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
      Map<String, String> names = roster.get(request.roomId());
      if (names == null) {
        return List.of();
      }
      synchronized (names) {
        return new ArrayList<>(names.values());
      }
    }
  }
}
