package dev.zocket.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code zocket.redis.*} properties: the Redis backplane of {@code zocket-redis}, which joins
 * the application's Zocket servers into one cluster over the Redis of {@code spring.data.redis.*}.
 *
 * <p>Not thread-safe: bound once by Spring, read when the server starts.
 */
@ConfigurationProperties("zocket.redis")
public class ZocketRedisProperties {
  /**
   * Whether the server uses the Redis backplane (needs zocket-redis and spring-boot-data-redis on
   * the class path); the connection is spring.data.redis.*. With recovery enabled, sessions and
   * recent events are kept in Redis too, so a client resumes on any node.
   */
  private boolean enabled;

  /**
   * The start of every channel name, so that several applications can share one Redis; every node
   * of a cluster must use the same.
   */
  private String channelPrefix = "zocket";

  /**
   * This node's id, unique among the nodes on the same Redis and prefix. Unset: 12 random
   * characters, new for every start.
   */
  private String nodeId;

  /** Whether to use sharded pub/sub (SSUBSCRIBE/SPUBLISH, Redis 7 or later). */
  private boolean sharded;

  /** The longest wait between two reconnect attempts after Redis went away. */
  private Duration maxReconnectDelay = Duration.ofSeconds(5);

  /**
   * The most bytes a node may have sent to Redis and not had answered (events, recovery appends,
   * control messages); past it, while Redis is slow or stalled, events to other nodes are dropped
   * and counted instead of queued.
   */
  private DataSize maxPendingBytes = DataSize.ofMegabytes(64);

  /** Whether the backplane is on. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the backplane is on. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The channel prefix. */
  public String getChannelPrefix() {
    return channelPrefix;
  }

  /** Sets the channel prefix. */
  public void setChannelPrefix(String channelPrefix) {
    this.channelPrefix = channelPrefix;
  }

  /** The node id, or null for a random one. */
  public String getNodeId() {
    return nodeId;
  }

  /** Sets the node id. */
  public void setNodeId(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Whether pub/sub is sharded. */
  public boolean isSharded() {
    return sharded;
  }

  /** Sets whether pub/sub is sharded. */
  public void setSharded(boolean sharded) {
    this.sharded = sharded;
  }

  /** The longest reconnect delay. */
  public Duration getMaxReconnectDelay() {
    return maxReconnectDelay;
  }

  /** Sets the longest reconnect delay. */
  public void setMaxReconnectDelay(Duration maxReconnectDelay) {
    this.maxReconnectDelay = maxReconnectDelay;
  }

  /** The most bytes waiting for Redis. */
  public DataSize getMaxPendingBytes() {
    return maxPendingBytes;
  }

  /** Sets the most bytes waiting for Redis. */
  public void setMaxPendingBytes(DataSize maxPendingBytes) {
    this.maxPendingBytes = maxPendingBytes;
  }
}
