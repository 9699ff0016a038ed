package dev.zocket.redis;

import dev.zocket.internal.Protocol;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
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
 * (one Redis connection per node publishes, and Redis keeps the order per connection). Delivery
 * across nodes is <b>at most once</b>. While Redis is unreachable, local delivery goes on; events
 * for other nodes are dropped (not queued), and nodes receive nothing from the others. The outage
 * is logged once at WARN, its end once at INFO with the number of dropped events. Lettuce
 * reconnects by itself (exponential backoff up to the {@linkplain Builder#maxReconnectDelay maximum
 * delay}); the backplane then subscribes again to the channels of the rooms that have local members
 * at that moment, including rooms joined during the outage. Nothing lost in between is resent, and
 * a command in flight when the connection dropped is not replayed (it could otherwise arrive
 * twice).
 *
 * <h2>Sharded pub/sub</h2>
 *
 * With {@link Builder#sharded(boolean) sharded(true)} the backplane uses {@code SSUBSCRIBE} and
 * {@code SPUBLISH} (Redis 7 or later) instead of {@code SUBSCRIBE} and {@code PUBLISH}. On a single
 * Redis server they behave the same; they are what lets a Redis Cluster route a channel to the one
 * shard that owns its slot instead of every node of the cluster. This backplane connects to one
 * Redis endpoint (a standalone server, a primary behind Sentinel with {@code redis-sentinel://}, or
 * a cluster proxy): it does not use Lettuce's cluster client, which would have to send each {@code
 * SSUBSCRIBE} to the shard owning the channel and follow slot migrations, and which this module
 * does not test against a real cluster.
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

  private final RedisURI uri;
  private final String nodeId;
  private final boolean sharded;
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
  private final ControlChannel control;

  private ClientResources resources;
  private RedisClient client;
  private volatile StatefulRedisConnection<String, byte[]> pubConnection;
  private volatile StatefulRedisPubSubConnection<String, byte[]> subConnection;

  private RedisBackplane(Builder b) {
    this.uri = b.uri;
    this.nodeId = b.nodeId != null ? b.nodeId : randomNodeId();
    this.sharded = b.sharded;
    this.maxReconnectDelay = b.maxReconnectDelay;
    this.channels = new Channels(b.prefix, nodeId);
    this.prefix = b.prefix;
    this.health = new ConnectionHealth(nodeId, uri);
    this.rooms = new RoomSubscriptions(channels, sharded, closed::get);
    this.publisher = new EventPublisher(nodeId, channels, sharded, closed::get, health);
    this.receiver = new EventReceiver(nodeId);
    this.control = new ControlChannel(nodeId, channels, sharded, closed::get);
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
      client = RedisClient.create(resources, uri);
      client.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              // While disconnected, fail at once: an event is dropped, not queued for later.
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              // A command in flight when the connection dropped may have run: never resend it.
              .replayFilter(command -> true)
              .build());
      LettuceListener listener =
          new LettuceListener(channels, receiver, control, rooms, health, closed::get);
      client.addListener(listener);
      pubConnection = client.connect(CODEC);
      subConnection = client.connectPubSub(CODEC);
      health.watch(pubConnection, subConnection);
      subConnection.addListener((RedisPubSubListener<String, byte[]>) listener);
      publisher.commands(pubConnection.async());
      control.commands(pubConnection.async());
      rooms.commands(subConnection.async());
      // This node's channel last: its confirmation means the others are subscribed too.
      String[] fixed = {
        channels.broadcast, channels.control, channels.thisNodeControl, channels.thisNode
      };
      if (sharded) {
        subConnection.sync().ssubscribe(fixed);
      } else {
        subConnection.sync().subscribe(fixed);
      }
    } catch (RuntimeException e) {
      shutdown();
      throw e;
    }
    log.info(
        "Redis backplane of node {} connected to {} ({})",
        nodeId,
        uri.toString(),
        sharded ? "sharded pub/sub" : "pub/sub");
  }

  /**
   * The store of a server with connection-state recovery across the nodes: events go through the
   * Redis stream {@code <prefix>:events} (capped at about {@code maxEvents} entries, trimmed of
   * those older than the window), read in order by every node, and the sessions of dropped
   * connections are keys {@code <prefix>:session:<token>} that expire after the window (and a
   * margin). With it, the server publishes nothing on the channels above: every event, this node's
   * own included, reaches its recipients through the stream, a round trip to Redis later. Needs
   * Redis 7 or later. Called by the server, once.
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
    return new RedisRecoveryStore(() -> client, nodeId, prefix, windowMillis, maxEvents);
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
      resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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
    private final RedisURI uri;
    private String prefix = "zocket";
    private String nodeId;
    private boolean sharded;
    private Duration maxReconnectDelay = Duration.ofSeconds(5);

    private Builder(String redisUri) {
      Objects.requireNonNull(redisUri, "redisUri == null");
      try {
        this.uri = RedisURI.create(redisUri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("Not a Redis URI: '" + redisUri + "'", e);
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
     * Builds the backplane; it connects when the server starts it.
     *
     * @return a new backplane for one server
     */
    public RedisBackplane build() {
      return new RedisBackplane(this);
    }
  }
}
