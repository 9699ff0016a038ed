package dev.zocket.redis;

import dev.zocket.netty.ZocketServer;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Three Zocket server nodes on 127.0.0.1 sharing one real Redis through their backplanes. */
final class Nodes implements AutoCloseable {
  final RedisServer redis;
  final boolean sharded;
  final List<RedisBackplane> backplanes = new ArrayList<>();
  final List<ZocketServer> servers = new ArrayList<>();
  final List<BackplaneObserver> observers = new ArrayList<>();
  private final RedisClient admin;
  private final StatefulRedisConnection<String, String> adminConnection;

  Nodes(RedisServer redis, boolean sharded, int count) {
    this.redis = redis;
    this.sharded = sharded;
    for (int i = 0; i < count; i++) {
      RedisBackplane backplane =
          RedisBackplane.builder(redis.uri())
              .sharded(sharded)
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
    admin = RedisClient.create(redis.uri());
    adminConnection = admin.connect();
  }

  /** What a node's observer is told of its backplane. */
  static final class BackplaneObserver implements ZocketObserver {
    /** "outage" and "recovered", in the order reported. */
    final List<String> states = new CopyOnWriteArrayList<>();

    final AtomicInteger published = new AtomicInteger();
    final AtomicInteger received = new AtomicInteger();

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
    String channel = backplanes.get(0).roomChannel(room);
    Map<String, Long> counts =
        sharded
            ? adminConnection.sync().pubsubShardNumsub(channel)
            : adminConnection.sync().pubsubNumsub(channel);
    return counts.getOrDefault(channel, 0L);
  }

  /** Waits (10 s at most) until Redis has the given number of nodes subscribed to a room. */
  void awaitSubscribers(String room, long expected) {
    Await.until(
        "Redis subscribers of " + room + " = " + expected, () -> subscribers(room) == expected);
  }

  @Override
  public void close() {
    adminConnection.close();
    admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    for (ZocketServer s : servers) {
      s.close();
    }
  }
}
