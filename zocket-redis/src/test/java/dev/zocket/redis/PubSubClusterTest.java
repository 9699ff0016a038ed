package dev.zocket.redis;

/** The cluster tests over classic pub/sub (SUBSCRIBE and PUBLISH). */
class PubSubClusterTest extends ClusterTestBase {
  @Override
  boolean sharded() {
    return false;
  }
}
