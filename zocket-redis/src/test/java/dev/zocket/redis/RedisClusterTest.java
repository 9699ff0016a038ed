package dev.zocket.redis;

/**
 * The cluster tests on a real Redis Cluster of three masters and three replicas: each room's,
 * node's and the broadcast channel served by the shard that owns its slot.
 */
class RedisClusterTest extends ClusterTestBase {
  @Override
  boolean sharded() {
    return true;
  }

  @Override
  boolean cluster() {
    return true;
  }
}
