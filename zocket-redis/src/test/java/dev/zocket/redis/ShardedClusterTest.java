package dev.zocket.redis;

/** The cluster tests over sharded pub/sub (SSUBSCRIBE and SPUBLISH, Redis 7). */
class ShardedClusterTest extends ClusterTestBase {
  @Override
  boolean sharded() {
    return true;
  }
}
