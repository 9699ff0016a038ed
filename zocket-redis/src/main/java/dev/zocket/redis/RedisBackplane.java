package dev.zocket.redis;

import dev.zocket.internal.Protocol;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backplane} over Redis pub/sub (through Lettuce): rooms, broadcasts and {@code
 * to(clientId)} events reach the clients of every Zocket server node connected to the same Redis.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .backplane(RedisBackplane.create("redis://10.0.0.5:6379"))
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .port(3000)
 *     .start();
 * }</pre>
 *
 * <h2>Channels</h2>
 *
 * With the default {@linkplain Builder#channelPrefix prefix} {@code zocket}:
 *
 * <ul>
 *   <li>{@code zocket:room:<roomId>}: events to a room. A node subscribes when the room gets its
 *       first local member and unsubscribes when the last one leaves, so Redis sends a room's
 *       traffic only to the nodes that have members in it.
 *   <li>{@code zocket:all}: broadcasts; every node subscribes.
 *   <li>{@code zocket:ctl} and {@code zocket:ctl:<nodeId>}: the control messages of the server's
 *       cluster operations ({@code ZocketServer.cluster()}: a room's members across nodes,
 *       disconnecting or moving a client of another node), to every node or to one; every node
 *       subscribes to both. The count of receivers Redis answers to each publish tells the asking
 *       node how many answers to wait for.
 *   <li>{@code zocket:node:<nodeId>}: {@code to(clientId)} events for the clients of one node.
 *       Client ids are {@code <nodeId>.<random>}, so the sender knows the node without asking
 *       anyone. A per-node channel rather than one per client: no subscription per connection, and
 *       an event to several clients of one node is published once.
 * </ul>
 *
 * An event is published once per channel, not once per recipient: the receiving node fans it out to
 * its local members. The payload carries the target (room or client ids and the {@code except}
 * ids), so each receiving node skips the excluded clients itself. An event to several rooms is
 * published on each room's channel with one message id; a node subscribed to several of them
 * delivers it once (it remembers the last 1,024 such ids), and a client in several of the rooms
 * gets it once. A node ignores its own events when Redis echoes them back (its local recipients got
 * them directly).
 *
 * <h2>Order and loss</h2>
 *
 * Events published by one thread of one node arrive at every other node in the order they were sent
 * (one Redis connection per node publishes, and Redis keeps the order per connection; on a Redis
 * Cluster, per channel: see below). Delivery across nodes is <b>at most once</b>. While Redis is
 * unreachable, local delivery goes on; events for other nodes are dropped (not queued), and nodes
 * receive nothing from the others. The outage is logged once at WARN, its end once at INFO with the
 * number of dropped events. Lettuce reconnects by itself (exponential backoff up to the {@linkplain
 * Builder#maxReconnectDelay maximum delay}); the backplane then subscribes again to the channels of
 * the rooms that have local members at that moment, including rooms joined during the outage.
 * Nothing lost in between is resent, and a command in flight when the connection dropped is not
 * replayed (it could otherwise arrive twice).
 *
 * <p><b>Losses are counted.</b> Every node numbers the events it publishes on each channel, and a
 * node that receives an event whose number skips knows how many of that node's events on that
 * channel it missed: published while it was not subscribed (Redis restarting, failing over or
 * moving a slot), or dropped by the publisher (Redis away, or {@linkplain Builder#maxPendingBytes
 * too slow}). It reports them to the server's observers ({@code
 * ZocketObserver.onBackplaneLost(fromNodeId, events)}, the {@code zocket.backplane.lost} meter) and
 * logs them at WARN, at most once a minute. They are counted when the next event on the channel
 * arrives, so events lost at the end of an outage with nothing sent after them are not. The count
 * is per channel: an event to several rooms lost on two of their channels counts twice, even if a
 * third copy reached the node. A room's events are counted from its first local member's
 * subscription on: what was published while the node had no member is not lost. Nodes must run the
 * same version of this envelope: a node of an older version ignores the events of a newer one.
 *
 * <h2>Sharded pub/sub</h2>
 *
 * With {@link Builder#sharded(boolean) sharded(true)} the backplane uses {@code SSUBSCRIBE} and
 * {@code SPUBLISH} (Redis 7 or later) instead of {@code SUBSCRIBE} and {@code PUBLISH}. On a single
 * Redis server they behave the same; on a Redis Cluster they are what sends a channel's messages
 * through the one shard that owns its slot, instead of through every node of the cluster.
 *
 * <h2>Redis Cluster</h2>
 *
 * With {@link Builder#cluster(boolean) cluster(true)} the URI names one or more nodes of a Redis
 * Cluster (Redis 7 or later), and the backplane uses Lettuce's cluster client with sharded pub/sub:
 * each room's channel, each node's channel and the broadcast channel live on the shard that owns
 * its slot, so the rooms' traffic spreads over the shards, and a message costs only its shard. The
 * backplane opens a connection to every shard as it starts; it follows failovers and slot
 * migrations: Redis ends the subscriptions of a slot that changes hands (an unsolicited {@code
 * SUNSUBSCRIBE}), and the backplane reloads the topology and subscribes again, reporting an outage
 * until it has. A master that dies ends nothing: Lettuce reloads the topology while it cannot
 * reconnect to it (at most once a second, and every 30 s anyway), and once the cluster has promoted
 * a replica (after its {@code cluster-node-timeout}), the change of topology makes the backplane
 * subscribe again the same way. Events published to the slot meanwhile are lost for this node (at
 * most once, as above); a publish that Redis or Lettuce refuses during the change is counted as
 * dropped. Order on a cluster is kept per channel: the events of one node to one room, to one
 * node's clients, or to everyone arrive in the order sent, but an event to a room and a later one
 * to a client may not.
 *
 * <h2>Threading</h2>
 *
 * Thread-safe. {@code publish}, {@code subscribe} and {@code unsubscribe} return immediately.
 * Events from other nodes are delivered on a Lettuce I/O thread, which only queues writes to the
 * local connections. The backplane owns its Lettuce client and threads, and releases them in {@link
 * #close()}.
 */
public final class RedisBackplane implements Backplane {
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
  private static final Pattern PREFIX = Pattern.compile("[\\x21-\\x7e]{1,64}");
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /**
   * How long Lettuce's threads must have had no work before they stop (see {@link #shutdown()}).
   * Netty looks for new work every 100 ms while it waits, so this costs {@code close()} about that.
   */
  private static final Duration QUIET_PERIOD = Duration.ofMillis(100);

  private final RedisURI uri;
  private final List<RedisURI> seeds;
  private final String nodeId;
  private final boolean sharded;
  private final boolean cluster;
  private final Duration maxReconnectDelay;
  private final Channels channels;
  private final String prefix;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  // The parts that do the work (package-private, each documented with the threads that call it).
  private final ConnectionHealth health;
  private final RoomSubscriptions rooms;
  private final EventPublisher publisher;
  private final EventReceiver receiver;
  private final ClusterRepair repair;
  private final PendingBytes pending;
  private final ControlChannel control;

  private ClientResources resources;
  private AbstractRedisClient client;
  private volatile StatefulConnection<String, byte[]> pubConnection;
  private volatile StatefulRedisPubSubConnection<String, byte[]> subConnection;

  private RedisBackplane(Builder b) {
    this.uri = b.seeds.get(0);
    this.seeds = List.copyOf(b.seeds);
    this.nodeId = b.nodeId != null ? b.nodeId : randomNodeId();
    this.cluster = b.cluster;
    this.sharded = b.sharded || b.cluster;
    this.maxReconnectDelay = b.maxReconnectDelay;
    this.channels = new Channels(b.prefix, nodeId);
    this.prefix = b.prefix;
    this.health =
        new ConnectionHealth(nodeId, cluster ? "the Redis Cluster at " + seeds : uri.toString());
    this.repair = new ClusterRepair(channels, closed::get, health);
    this.rooms = new RoomSubscriptions(channels, sharded, cluster, closed::get, repair);
    this.pending = new PendingBytes(b.maxPendingBytes);
    this.publisher = new EventPublisher(nodeId, channels, sharded, closed::get, health, pending);
    this.receiver = new EventReceiver(nodeId, health);
    this.control = new ControlChannel(nodeId, channels, sharded, closed::get, pending);
  }

  /**
   * A backplane with the default settings.
   *
   * @param redisUri a Lettuce Redis URI, for example {@code redis://127.0.0.1:6379}, {@code
   *     rediss://user:pass@host:6380/0} or {@code redis-sentinel://host:26379#mymaster}
   * @return a backplane, to be given to the server's builder
   * @throws IllegalArgumentException if the URI is not one Lettuce accepts
   */
  public static RedisBackplane create(String redisUri) {
    return builder(redisUri).build();
  }

  /**
   * A builder for a backplane.
   *
   * @param redisUri a Lettuce Redis URI, see {@link #create}
   * @return a new builder
   * @throws IllegalArgumentException if the URI is not one Lettuce accepts
   */
  public static Builder builder(String redisUri) {
    return new Builder(redisUri);
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  /**
   * Connects to Redis (two connections: one publishes, one subscribes) and subscribes to the
   * broadcast channel and this node's channel. Blocks until done.
   *
   * @throws IllegalStateException if called twice
   * @throws io.lettuce.core.RedisConnectionException if Redis cannot be reached
   */
  @Override
  public void start(Node node) {
    Objects.requireNonNull(node, "node == null");
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "A RedisBackplane serves one server; start() was called twice");
    }
    receiver.deliverTo(node);
    control.deliverTo(node);
    health.reportTo(node);
    resources =
        ClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
            .build();
    try {
      LettuceListener listener =
          new LettuceListener(channels, receiver, control, rooms, health, closed::get, repair);
      if (cluster) {
        connectCluster(listener);
      } else {
        connect(listener);
      }
    } catch (RuntimeException e) {
      shutdown();
      throw e;
    }
    log.info(
        "Redis backplane of node {} connected to {} ({})",
        nodeId,
        cluster ? "the Redis Cluster at " + seeds : uri.toString(),
        sharded ? "sharded pub/sub" : "pub/sub");
  }

  /** A single Redis (or Sentinel's primary): one publisher and one subscriber connection. */
  private void connect(LettuceListener listener) {
    RedisClient standalone = RedisClient.create(resources, uri);
    client = standalone;
    standalone.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            // While disconnected, fail at once: an event is dropped, not queued for later.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            // A command in flight when the connection dropped may have run: never resend it.
            .replayFilter(command -> true)
            .build());
    standalone.addListener(listener);
    StatefulRedisConnection<String, byte[]> pub = standalone.connect(CODEC);
    pubConnection = pub;
    subConnection = standalone.connectPubSub(CODEC);
    health.watch(pub, subConnection);
    subConnection.addListener((RedisPubSubListener<String, byte[]>) listener);
    publisher.commands(pub.async());
    control.commands(pub.async());
    rooms.commands(subConnection.async());
    String[] fixed = channels.fixed().toArray(new String[0]);
    if (sharded) {
      subConnection.sync().ssubscribe(fixed);
    } else {
      subConnection.sync().subscribe(fixed);
    }
  }

  /**
   * A Redis Cluster through Lettuce's cluster client: publishes and sharded subscriptions go to the
   * shard that owns each channel's slot, over a connection per shard. Lettuce reloads the topology
   * when Redis redirects a command or a shard stays unreachable, and every 30 s.
   */
  private void connectCluster(LettuceListener listener) {
    RedisClusterClient clustered = RedisClusterClient.create(resources, seeds);
    client = clustered;
    ClientOptions options =
        ClusterClientOptions.builder()
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    // A master that died is replaced once the cluster notices (its node timeout):
                    // reconnect attempts to it ask for a refresh at most once a second until then.
                    .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                    .enablePeriodicRefresh(Duration.ofSeconds(30))
                    .build())
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .replayFilter(command -> true)
            .build();
    clustered.setOptions((ClusterClientOptions) options);
    StatefulRedisClusterConnection<String, byte[]> pub = clustered.connect(CODEC);
    pubConnection = pub;
    StatefulRedisClusterPubSubConnection<String, byte[]> sub = clustered.connectPubSub(CODEC);
    subConnection = sub;
    health.watch(pub, sub);
    // Messages and confirmations of the per-shard connections reach the listener too.
    sub.setNodeMessagePropagation(true);
    sub.addListener((RedisPubSubListener<String, byte[]>) listener);
    publisher.commands(pub.async());
    control.commands(pub.async());
    rooms.commands(sub.async());
    repair.use(clustered, sub.async(), resources.eventExecutorGroup());
    repair.follow(resources.eventBus());
    Shards.open(clustered, pub::getConnection);
    Shards.open(clustered, sub::getConnection);
    // One channel per command: they may hash to different slots.
    for (String channel : channels.fixed()) {
      sub.sync().ssubscribe(channel);
    }
  }

  /**
   * The store of a server with connection-state recovery across the nodes: events go through the
   * Redis stream <code>{&lt;prefix&gt;}:events</code> (capped at about {@code maxEvents} entries,
   * trimmed of those older than the window), read in order by every node, and the sessions of
   * dropped connections are keys <code>{&lt;prefix&gt;}:session:&lt;token&gt;</code> that expire
   * after the window (and a margin). On a Redis Cluster the braces put them all in one slot: a
   * resumption needs one shard, and all of recovery's traffic goes through that shard (one ordered
   * stream is what gives every node the same order). With it, the server publishes nothing on the
   * channels above: every event, this node's own included, reaches its recipients through the
   * stream, a round trip to Redis later. Needs Redis 7 or later. Called by the server, once.
   *
   * <p>Memory: Redis cannot trim a stream by bytes, so the stream is bounded by {@code maxEvents}
   * (and the window) only, and takes about {@code maxEvents} times the size of the events sent
   * (10,000 events of 60 KB: 600 MB of Redis); the server's {@code maxRecoveryMemory} does not
   * apply to it. Choose {@code maxEvents} for the largest events the application sends, and give
   * Redis a {@code maxmemory} with the {@code noeviction} policy: past it appends fail (those
   * events reach no one; counted and logged) rather than Redis evicting the stream or the sessions.
   * A resumption reads the events the client missed into this node's heap before sending them (one
   * resumption at a time, on the reading thread).
   *
   * @param windowMillis how long sessions and events are kept
   * @param maxEvents the most events kept in the stream (approximately: Redis trims whole blocks)
   * @return the store, started by the server after this backplane
   */
  @Override
  public RecoveryStore recoveryStore(long windowMillis, int maxEvents) {
    return new RedisRecoveryStore(() -> client, pending, nodeId, prefix, windowMillis, maxEvents);
  }

  @Override
  public void publish(Target target, byte[] frame) {
    Objects.requireNonNull(target, "target == null");
    Objects.requireNonNull(frame, "frame == null");
    publisher.publish(target, frame);
  }

  /**
   * Publishes a control message of the server's cluster operations on {@code <prefix>:ctl} (every
   * node) or {@code <prefix>:ctl:<nodeId>} (one node); see {@link Backplane#sendControl}. Completes
   * with the number of other nodes subscribed to that channel, as Redis counts them; fails when
   * Redis is not reachable (nothing is queued).
   */
  @Override
  public CompletionStage<Integer> sendControl(String nodeId, byte[] message) {
    Objects.requireNonNull(message, "message == null");
    return control.send(nodeId, message);
  }

  @Override
  public void subscribe(String room) {
    Objects.requireNonNull(room, "room == null");
    rooms.add(room);
  }

  @Override
  public void unsubscribe(String room) {
    Objects.requireNonNull(room, "room == null");
    rooms.remove(room);
  }

  /** The bytes this node has sent to Redis that Redis has not answered yet (tests). */
  long pendingBytes() {
    return pending.pending();
  }

  /** The number of messages this node's subscriber connection received (tests and monitoring). */
  long receivedCount() {
    return receiver.receivedCount();
  }

  /** The Redis channel of a room. */
  String roomChannel(String room) {
    return channels.room(room);
  }

  /** Unsubscribes, closes both connections and stops the Lettuce threads. Idempotent; blocks. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      shutdown();
      log.info("Redis backplane of node {} closed", nodeId);
    }
  }

  private void shutdown() {
    publisher.commands(null);
    control.commands(null);
    rooms.commands(null);
    if (subConnection != null) {
      subConnection.close();
    }
    if (pubConnection != null) {
      pubConnection.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (resources != null) {
      // Lettuce may still be connecting as it shuts down: a topology refresh that failed because
      // its connections were closed tries the seed nodes next. With no quiet period, a Netty 4.2
      // event loop closes its channels once at most, and a channel registered after that stays
      // open, its socket and read buffer never released; with one, it closes them on every pass
      // until no work has come for the quiet period.
      resources
          .shutdown(QUIET_PERIOD.toMillis(), 2_000, TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisBackplane(" + nodeId + " at " + uri + ")";
  }

  private static String randomNodeId() {
    byte[] bytes = new byte[9];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Configures a {@link RedisBackplane}. Not thread-safe. */
  public static final class Builder {
    private final List<RedisURI> seeds = new ArrayList<>();
    private String prefix = "zocket";
    private String nodeId;
    private boolean sharded;
    private boolean cluster;
    private Duration maxReconnectDelay = Duration.ofSeconds(5);
    private long maxPendingBytes = 64L << 20;

    private Builder(String redisUri) {
      Objects.requireNonNull(redisUri, "redisUri == null");
      for (String one : redisUri.split(",", -1)) {
        try {
          seeds.add(RedisURI.create(one.trim()));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("Not a Redis URI: '" + one.trim() + "'", e);
        }
      }
    }

    /**
     * The start of every channel name, so that several applications can share one Redis; 1 to 64
     * printable ASCII characters without spaces. Every node of a cluster must use the same. Default
     * {@code zocket}.
     *
     * @param prefix the channel prefix
     * @return this builder
     */
    public Builder channelPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix == null");
      if (!PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException(
            "channelPrefix must be 1 to 64 printable ASCII characters without spaces: '"
                + prefix
                + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * This node's id (see {@link Backplane#nodeId()}); it must be unique among the nodes using the
     * same Redis and prefix. Default: 12 random base64url characters, new for every backplane.
     *
     * @param nodeId 1 to 32 characters among {@code A-Z a-z 0-9 - _}
     * @return this builder
     */
    public Builder nodeId(String nodeId) {
      Objects.requireNonNull(nodeId, "nodeId == null");
      if (!Protocol.isNodeId(nodeId)) {
        throw new IllegalArgumentException(
            "nodeId must be " + Protocol.NODE_ID_RULE + ": '" + nodeId + "'");
      }
      this.nodeId = nodeId;
      return this;
    }

    /**
     * Whether to use sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH}, Redis 7 or later) rather
     * than classic pub/sub. Every node of a cluster must use the same. Default false.
     *
     * @param sharded true for sharded pub/sub
     * @return this builder
     */
    public Builder sharded(boolean sharded) {
      this.sharded = sharded;
      return this;
    }

    /**
     * Whether the URI names a node of a Redis Cluster (Redis 7 or later) rather than a single
     * Redis: the backplane then uses Lettuce's cluster client and sharded pub/sub (so {@link
     * #sharded} is implied), each channel served by the shard that owns its slot, and follows
     * failovers and slot migrations. Several seed nodes may be given as one string of
     * comma-separated URIs ({@code redis://10.0.0.1:7000,redis://10.0.0.2:7000}); one that answers
     * is enough to learn the rest. Default false.
     *
     * @param cluster true for a Redis Cluster
     * @return this builder
     */
    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * The longest wait between two reconnect attempts after Redis went away; the waits grow
     * exponentially from 10 ms to it. Default 5 s.
     *
     * @param maxReconnectDelay a positive duration
     * @return this builder
     */
    public Builder maxReconnectDelay(Duration maxReconnectDelay) {
      Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay == null");
      if (maxReconnectDelay.isNegative() || maxReconnectDelay.toMillis() < 10) {
        throw new IllegalArgumentException(
            "maxReconnectDelay must be at least 10 ms: " + maxReconnectDelay);
      }
      this.maxReconnectDelay = maxReconnectDelay;
      return this;
    }

    /**
     * The most bytes this node may have sent to Redis and not had answered yet: events published to
     * other nodes, events appended to the recovery stream, cluster control messages. Lettuce queues
     * commands without bound while Redis is slow, or stalled with its connection open, so this is
     * what a Redis that stops answering costs a node's heap at most. Past it, an event is dropped
     * before it is sent (as while Redis is away: counted, the outage logged once at WARN and
     * reported to the server's observers, its end once at INFO with the number dropped, when half
     * the budget is free again), and a control operation fails. Default 64 MiB.
     *
     * @param maxPendingBytes at least 64 KiB
     * @return this builder
     */
    public Builder maxPendingBytes(long maxPendingBytes) {
      if (maxPendingBytes < 64 * 1024) {
        throw new IllegalArgumentException(
            "maxPendingBytes must be at least 64 KiB: " + maxPendingBytes);
      }
      this.maxPendingBytes = maxPendingBytes;
      return this;
    }

    /**
     * Builds the backplane; it connects when the server starts it.
     *
     * @return a new backplane for one server
     */
    public RedisBackplane build() {
      if (seeds.size() > 1 && !cluster) {
        throw new IllegalArgumentException(
            "Several Redis URIs are seeds of a Redis Cluster: set cluster(true), or give one URI");
      }
      return new RedisBackplane(this);
    }
  }
}
