package dev.zocket.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.function.BiConsumer;

/**
 * Opens a cluster connection's connections to every master shard at once. Lettuce opens them on
 * first use, and with commands rejected while disconnected (events are dropped, not queued, while
 * Redis is away) it rejects a command sent while its shard's connection is still opening. Lettuce
 * keys the connections it routes commands to by host and port, so they are asked for by host and
 * port. Stateless.
 */
final class Shards {
  private Shards() {}

  /**
   * Opens a connection to each master the client knows of now, blocking until each is open.
   *
   * @param open asks the cluster connection for its connection to one host and port
   */
  static void open(RedisClusterClient client, BiConsumer<String, Integer> open) {
    for (RedisClusterNode shard : client.getPartitions()) {
      if (shard.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        RedisURI at = shard.getUri();
        open.accept(at.getHost(), at.getPort());
      }
    }
  }
}
