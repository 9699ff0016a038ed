package dev.zocket.redis;

import dev.zocket.netty.ZocketServer;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RedisCluster;
import dev.zocket.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Zocket server nodes on 127.0.0.1 sharing one real Redis, or one real Redis Cluster, through their
 * backplanes.
 */
final class Nodes implements AutoCloseable {
  final List<RedisBackplane> backplanes = new ArrayList<>();
  final List<ZocketServer> servers = new ArrayList<>();
  final List<BackplaneObserver> observers = new ArrayList<>();

  /** How many nodes Redis has subscribed to a channel. */
  private final ToLongFunction<String> subscribers;

  private final Runnable closeAdmin;

  /** Nodes on a single Redis, over classic or sharded pub/sub. */
  Nodes(RedisServer redis, boolean sharded, int count) {
    this(redis.uri(), sharded, false, count, new Admin(redis.uri(), sharded));
  }

  /** Nodes on a Redis Cluster. */
  Nodes(RedisCluster cluster, int count) {
    this(
        String.join(",", cluster.uris()),
        true,
        true,
        count,
        new Admin(null, true) {
          @Override
          public long applyAsLong(String channel) {
            return cluster.shardSubscribers(channel);
          }
        });
  }

  private Nodes(String uri, boolean sharded, boolean cluster, int count, Admin admin) {
    this.subscribers = admin;
    this.closeAdmin = admin::close;
    for (int i = 0; i < count; i++) {
      RedisBackplane backplane =
          RedisBackplane.builder(uri)
              .sharded(sharded)
              .cluster(cluster)
              .nodeId("node" + i)
              .maxReconnectDelay(Duration.ofMillis(200))
              .build();
      backplanes.add(backplane);
      BackplaneObserver observer = new BackplaneObserver();
      observers.add(observer);
      servers.add(
          ZocketServer.builder()
              .host("127.0.0.1")
              .port(0)
              .backplane(backplane)
              .observer(observer)
              .handle(ChatApi.Chat.class, ChatApi.Handler::new)
              .shutdownTimeout(Duration.ofSeconds(5))
              .start());
    }
  }

  /** Counts the subscribers of a channel on a single Redis. */
  private static class Admin implements ToLongFunction<String> {
    private final boolean sharded;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    Admin(String uri, boolean sharded) {
      this.sharded = sharded;
      this.client = uri == null ? null : RedisClient.create(uri);
      this.connection = client == null ? null : client.connect();
    }

    @Override
    public long applyAsLong(String channel) {
      Map<String, Long> counts =
          sharded
              ? connection.sync().pubsubShardNumsub(channel)
              : connection.sync().pubsubNumsub(channel);
      return counts.getOrDefault(channel, 0L);
    }

    void close() {
      if (client != null) {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  /** What a node's observer is told of its backplane. */
  static final class BackplaneObserver implements ZocketObserver {
    /** "outage" and "recovered", in the order reported. */
    final List<String> states = new CopyOnWriteArrayList<>();

    final AtomicInteger published = new AtomicInteger();
    final AtomicInteger received = new AtomicInteger();

    /** The events reported lost on their way to this node. */
    final AtomicLong lost = new AtomicLong();

    @Override
    public void onBackplaneLost(String fromNodeId, long events) {
      lost.addAndGet(events);
    }

    @Override
    public void onBackplanePublished(int bytes) {
      published.incrementAndGet();
    }

    @Override
    public void onBackplaneReceived(int recipients, int bytes) {
      received.incrementAndGet();
    }

    @Override
    public void onBackplaneOutage() {
      states.add("outage");
    }

    @Override
    public void onBackplaneRecovered() {
      states.add("recovered");
    }

    /** Whether the last outage reported is over. */
    boolean recovered() {
      return !states.isEmpty() && states.get(states.size() - 1).equals("recovered");
    }
  }

  ZocketServer node(int i) {
    return servers.get(i);
  }

  /** How many nodes Redis has subscribed to a room's channel. */
  long subscribers(String room) {
    return subscribers.applyAsLong(backplanes.get(0).roomChannel(room));
  }

  /** Waits (10 s at most) until Redis has the given number of nodes subscribed to a room. */
  void awaitSubscribers(String room, long expected) {
    Await.until(
        "Redis subscribers of " + room + " = " + expected, () -> subscribers(room) == expected);
  }

  @Override
  public void close() {
    for (ZocketServer s : servers) {
      s.close();
    }
    closeAdmin.run();
  }
}
