package dev.zocket.redis;

import dev.zocket.spi.Backplane;
import io.lettuce.core.RedisCommandExecutionException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the backplane's two Lettuce connections (the publisher and the subscriber) are down, so
 * that an outage is logged once at WARN when the first goes down and once at INFO when both are
 * back, with the number of events dropped meanwhile; the server's node is told of both too ({@link
 * Backplane.Node#reportOutage}, {@link Backplane.Node#reportRecovery}), for its observers. Lettuce
 * reconnects each connection on its own, and every publish fails while Redis is away: without this
 * the log would get a line per connection and per event.
 *
 * <p>The subscriber counts as up again only once it is subscribed again to this node's channel, not
 * when its socket reconnects: until then it receives nothing.
 *
 * <p>Threading: connection events and subscription confirmations come on Lettuce's I/O threads;
 * publish failures on the thread that completes the command, a Lettuce I/O thread or, when Lettuce
 * rejects a command at once while disconnected, the server's thread that published. Thread-safe;
 * nothing here blocks.
 */
final class ConnectionHealth {
  // Logs under the backplane's name, as it did before this class was split out of it.
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  private final String nodeId;

  /** Where Redis is, for the log: its URI, or the cluster's seeds. */
  private final String where;

  private final AtomicBoolean rejected = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();

  /** Events of other nodes lost on the way here and not logged yet; guarded by {@link #down}. */
  private long lostUnlogged;

  /**
   * When a loss was last logged, in {@link System#nanoTime()}; guarded by {@link #down}. Starts a
   * whole interval back, so that the first loss is logged at once.
   */
  private long lostLoggedAt = System.nanoTime() - LOST_LOG_INTERVAL_NANOS;

  /** Which of the two connections are down; guarded by itself. */
  private final Set<Object> down = new HashSet<>();

  /** Whether the publisher is in {@link #down}: read on every publish, so kept apart. */
  private volatile boolean publisherDown;

  private static final long LOST_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** In {@link #down} while the bytes waiting for Redis fill the budget. */
  private static final Object BACKLOG = new Object();

  /** Whether {@link #BACKLOG} is in {@link #down}: read on every publish, so kept apart. */
  private volatile boolean backlogged;

  private volatile Object publisher;
  private volatile Object subscriber;

  /** The server's node, told of outages once the backplane has started. */
  private volatile Backplane.Node node;

  ConnectionHealth(String nodeId, String where) {
    this.nodeId = nodeId;
    this.where = where;
  }

  /** The server's node, to report outages and recoveries to. */
  void reportTo(Backplane.Node node) {
    this.node = node;
  }

  /** The two connections, once they are open. */
  void watch(Object publisher, Object subscriber) {
    this.publisher = publisher;
    this.subscriber = subscriber;
  }

  /** Lettuce (re)connected a connection; the subscriber waits for {@link #subscribed()}. */
  void connected(Object connection) {
    if (connection != subscriber) {
      up(connection);
    }
  }

  /** The subscriber is subscribed to this node's channel (again). */
  void subscribed() {
    up(subscriber);
  }

  /** Lettuce lost a connection. */
  void disconnected(Object connection) {
    down(connection, null);
  }

  /**
   * The subscriber lost subscriptions without losing its connection (a Redis Cluster shard failed
   * over or moved a slot): down until {@link #subscribed()}.
   */
  void subscriberLost() {
    down(subscriber, null);
  }

  /**
   * A publish succeeded, so the publisher is up. On a Redis Cluster, where the publisher is a
   * connection per shard whose events do not say which shard, this is what ends an outage of the
   * publisher; on a single Redis the reconnect has already.
   */
  void publishSucceeded(PendingBytes budget) {
    if (publisherDown) {
      up(publisher);
    }
    if (backlogged && budget.drained()) {
      up(BACKLOG);
    }
  }

  /**
   * An event was dropped before it was sent: the bytes waiting for Redis fill the budget (Redis is
   * slow, or stalled with the connection open). An outage, as when Redis is away, until half the
   * budget is free again.
   */
  void backlogFull(PendingBytes budget) {
    dropped.increment();
    if (!backlogged) {
      down(
          BACKLOG,
          new IllegalStateException(
              "Redis is not keeping up: "
                  + budget.pending()
                  + " bytes are waiting for it, the most allowed is "
                  + budget.max()));
    }
  }

  /**
   * A publish failed, so its event is dropped. Redis refusing the command (a server-side error,
   * which would repeat for every event) is logged once; any other failure means the publisher
   * connection is down.
   */
  void publishFailed(Throwable failure) {
    dropped.increment();
    if (failure instanceof RedisCommandExecutionException) {
      if (rejected.compareAndSet(false, true)) { // a server-side error repeats: say it once
        log.error("Redis ({}) rejected a publish: {}", where, failure.getMessage());
      }
    } else {
      down(publisher, failure);
    }
  }

  /**
   * Events of another node never arrived here (see {@link Arrivals}); they are usually found when
   * the first event after an outage arrives. Logged at WARN at most once a minute, with how many
   * were lost since the last line, so a flapping Redis cannot fill the log.
   */
  void lost(String origin, long events) {
    synchronized (down) {
      lostUnlogged += events;
      long now = System.nanoTime();
      if (now - lostLoggedAt < LOST_LOG_INTERVAL_NANOS) {
        return;
      }
      log.warn(
          "Redis backplane of node {} missed {} events of other nodes (the last from node {}):"
              + " they were published while it was not subscribed, or dropped before they reached"
              + " Redis; reported to the server's observers. Logged at most once a minute",
          nodeId,
          lostUnlogged,
          origin);
      lostUnlogged = 0;
      lostLoggedAt = now;
    }
  }

  private void down(Object connection, Throwable cause) {
    boolean wasUp;
    synchronized (down) {
      wasUp = down.isEmpty();
      down.add(connection);
      publisherDown = down.contains(publisher);
      backlogged = down.contains(BACKLOG);
      if (wasUp && connection == BACKLOG) {
        log.warn(
            "Redis backplane of node {} drops events to other nodes: {} ({}); local delivery goes"
                + " on",
            nodeId,
            cause.getMessage(),
            where);
      } else if (wasUp) {
        log.warn(
            "Redis backplane of node {} lost {}{}: events to and from other nodes are dropped"
                + " until it reconnects; local delivery goes on",
            nodeId,
            where,
            cause == null ? "" : " (" + cause + ")");
      }
    }
    Backplane.Node n = node;
    if (wasUp && n != null) {
      n.reportOutage(); // outside the lock: the server's observers run in it
    }
  }

  private void up(Object connection) {
    boolean recovered;
    synchronized (down) {
      recovered = down.remove(connection) && down.isEmpty();
      publisherDown = down.contains(publisher);
      backlogged = down.contains(BACKLOG);
      if (recovered) {
        log.info(
            "Redis backplane of node {} {} {}; {} events to other nodes were dropped meanwhile",
            nodeId,
            connection == BACKLOG ? "is keeping up again with" : "reconnected to",
            where,
            dropped.sumThenReset());
      }
    }
    Backplane.Node n = node;
    if (recovered && n != null) {
      n.reportRecovery();
    }
  }
}
