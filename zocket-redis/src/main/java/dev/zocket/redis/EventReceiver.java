package dev.zocket.redis;

import dev.zocket.spi.Backplane.Node;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side: turns a message from Redis into a delivery to this node's connections,
 * dropping what is not to be delivered here. That is bytes that are not a Zocket envelope, this
 * node's own events (Redis sends them back to every subscriber, the publisher included, and the
 * local recipients got them directly) and the extra copies of an event to several rooms, which
 * arrives on the channel of each of them that this node is subscribed to ({@link RecentIds}), and a
 * second copy of an event on one channel, from a second subscription to it ({@link Arrivals}). It
 * also counts the events of other nodes that never arrived, and reports them to the server's node
 * and to {@link ConnectionHealth}'s log.
 *
 * <p>Threading: called on Lettuce's I/O threads: on a single Redis the subscriber connection's one
 * thread, on a Redis Cluster the thread of each shard's connection, so messages of different shards
 * come concurrently. They are handled one at a time (under this object's lock): the check for an
 * earlier copy and the delivery of the first one must happen together, or a later event that
 * arrived on another shard's channel could be delivered before it. {@link Node#deliver} only queues
 * writes to the local connections, so nothing here blocks. Losses are reported after the lock is
 * released. Thread-safe.
 */
final class EventReceiver {
  // Logs under the backplane's name, as it did before this class was split out of it.
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  /** How many multi-room event ids are remembered; their copies arrive close together. */
  private static final int RECENT_IDS = 1024;

  private final String nodeId;
  private final ConnectionHealth health;
  private final RecentIds recent = new RecentIds(RECENT_IDS);
  private final Arrivals arrivals = new Arrivals(); // guarded by this
  private final LongAdder received = new LongAdder();
  private volatile Node node;

  /**
   * Receives for the node with this id; delivers once {@link #deliverTo} names the node.
   *
   * @param health where lost events are logged
   */
  EventReceiver(String nodeId, ConnectionHealth health) {
    this.nodeId = nodeId;
    this.health = health;
  }

  /** Where events from other nodes are delivered; set as the backplane starts. */
  void deliverTo(Node node) {
    this.node = node;
  }

  /** A message arrived on one of this node's channels. */
  void received(String channel, byte[] payload) {
    received.increment();
    String origin = Envelope.origin(payload);
    if (origin == null) {
      log.debug("Ignoring a message that is not a Zocket envelope");
      return;
    }
    if (origin.equals(nodeId)) {
      return; // our own event, echoed: the local recipients already have it
    }
    Envelope e = Envelope.decode(payload);
    if (e == null) {
      log.debug("Ignoring a malformed Zocket envelope from node {}", origin);
      return;
    }
    long lost;
    synchronized (this) {
      lost = e.seq == 0 ? 0 : arrivals.arrived(channel, e.origin, e.epoch, e.seq);
      if (lost == Arrivals.SEEN) {
        return; // a copy on a second subscription, or late: see Arrivals
      }
      if (e.id == 0 || recent.add(e.origin, e.id)) { // else a copy of a multi-room event
        try {
          node.deliver(e.target, e.frame);
        } catch (RuntimeException ex) {
          log.warn("Delivering an event from node {} failed", e.origin, ex);
        }
      }
    }
    if (lost > 0) {
      health.lost(e.origin, lost);
      node.reportLost(e.origin, lost);
    }
  }

  /**
   * Counts a channel's events afresh: this node is subscribing to it for a room's new local member,
   * or has unsubscribed (see {@link Arrivals}). Called on the Lettuce thread that confirmed it, so
   * in order with the channel's messages.
   */
  synchronized void forget(String channel) {
    arrivals.forget(channel);
  }

  /** The number of messages received, own and duplicate ones included. */
  long receivedCount() {
    return received.sum();
  }
}
