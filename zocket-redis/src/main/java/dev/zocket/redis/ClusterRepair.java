package dev.zocket.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.event.EventBus;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a node's subscriptions on a Redis Cluster back in line after the cluster changed under
 * them. A shard that fails over, or hands a slot to another shard, ends the sharded subscriptions
 * of that slot's channels with an unsolicited {@code SUNSUBSCRIBE}, and Lettuce does not subscribe
 * again by itself; a subscription sent with an outdated topology fails. Either way no reconnect
 * follows to redo it, so this does: it reloads the topology ({@code CLUSTER SHARDS} through
 * Lettuce), subscribes the broadcast, control and this node's channels again, and the confirmation
 * of this node's channel subscribes every room with local members again ({@link
 * RoomSubscriptions#resubscribe}, as after a reconnect). A repair that fails is tried again after a
 * delay growing from 100 ms to 5 s, until one succeeds or the backplane closes. Requests that come
 * while a repair is under way lead to one more repair after it, so none is lost.
 *
 * <p>Threading: {@link #run} is called from Lettuce's I/O threads (failed commands, unsolicited
 * unsubscriptions) and its event bus ({@link #follow}), and returns at once; repairs run on the
 * client's event executors, one at a time. Thread-safe.
 */
final class ClusterRepair implements Runnable {
  // Logs under the backplane's name, as the other parts do.
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  private static final long FIRST_DELAY_MILLIS = 100;
  private static final long MAX_DELAY_MILLIS = 5_000;

  private final Channels channels;
  private final BooleanSupplier closed;
  private final ConnectionHealth health;

  /** Guarded by this: whether a repair is scheduled or running, and whether another is wanted. */
  private boolean busy;

  private boolean again;

  /** Guarded by this: the failed repairs in a row, for the delay. */
  private int failures;

  private volatile RedisClusterClient client;
  private volatile RedisPubSubAsyncCommands<String, byte[]> commands;
  private volatile EventExecutorGroup executors;

  ClusterRepair(Channels channels, BooleanSupplier closed, ConnectionHealth health) {
    this.channels = channels;
    this.closed = closed;
    this.health = health;
  }

  /** What repairs use, once the connections are open. */
  void use(
      RedisClusterClient client,
      RedisPubSubAsyncCommands<String, byte[]> commands,
      EventExecutorGroup executors) {
    this.client = client;
    this.commands = commands;
    this.executors = executors;
  }

  /**
   * Asks for a repair when the cluster changes under the subscriptions without ending them, as
   * Lettuce's events tell: a master that dies ends no subscription (no {@code SUNSUBSCRIBE} comes),
   * so the change of topology once its replica took over is what says the subscriptions on it are
   * gone; and a shard's connection that reconnects is subscribed again by Lettuce with one {@code
   * SSUBSCRIBE} for all its channels, which Redis refuses ({@code CROSSSLOT}) when they are in
   * different slots, so each is subscribed again here. A reconnect is an activation of a connection
   * to an address that had a reconnect attempt (the topology refresh's own short connections have
   * none).
   */
  void follow(EventBus events) {
    Set<SocketAddress> reconnecting = ConcurrentHashMap.newKeySet();
    events
        .get()
        .subscribe(
            event -> {
              if (event instanceof ClusterTopologyChangedEvent) {
                run();
              } else if (event instanceof ReconnectAttemptEvent attempt) {
                reconnecting.add(attempt.remoteAddress());
              } else if (event instanceof ConnectionActivatedEvent activated
                  && reconnecting.remove(activated.remoteAddress())) {
                run();
              }
            });
  }

  /** Asks for a repair; returns at once. */
  @Override
  public void run() {
    long delay;
    synchronized (this) {
      if (closed.getAsBoolean() || executors == null) {
        return;
      }
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      delay =
          failures == 0
              ? 0
              : Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(failures - 1, 16));
    }
    health.subscriberLost();
    executors.schedule(this::repair, delay, TimeUnit.MILLISECONDS);
  }

  private void repair() {
    if (closed.getAsBoolean()) {
      return;
    }
    RedisPubSubAsyncCommands<String, byte[]> c = commands;
    CompletionStage<?> chain = client.refreshPartitionsAsync();
    // One by one, this node's channel last: its confirmation subscribes the rooms again.
    for (String channel : channels.fixed()) {
      chain = chain.thenCompose(v -> c.ssubscribe(channel));
    }
    chain.whenComplete(this::done);
  }

  private void done(Object result, Throwable failure) {
    boolean repeat;
    synchronized (this) {
      busy = false;
      if (failure == null) {
        failures = 0;
      } else {
        failures++;
      }
      repeat = again || failure != null;
      again = false;
    }
    if (failure != null && !closed.getAsBoolean()) {
      log.debug("Repairing the subscriptions on the Redis Cluster failed; trying again", failure);
    }
    if (repeat) {
      run();
    }
  }
}
