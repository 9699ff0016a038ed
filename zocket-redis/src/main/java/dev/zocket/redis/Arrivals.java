package dev.zocket.redis;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last number this node has seen of each other node's events on each channel it is subscribed
 * to (numbered by the publisher's {@link Sequences}), so that a number that skips tells how many
 * events were lost on the way: published while this node was not subscribed (Redis restarting or
 * failing over, a slot moving), or dropped by the publisher before they reached Redis. The first
 * event seen from a node on a channel only sets where counting starts, as does the first of a new
 * epoch (its number minus one are counted lost: the publisher's count started again at 1). An event
 * numbered at or below the last seen, or of an older epoch, is a copy, or came after a later one:
 * it is not delivered. Copies come when a node is subscribed to a channel on two Redis nodes at
 * once: a Redis Cluster master that handed its slots to its replica keeps the old subscription, and
 * as a replica now still receives the shard's messages, while the backplane subscribes again on the
 * new master.
 *
 * <p>A channel is {@linkplain #forget forgotten} when this node subscribes to it for a new local
 * member of the room, and when it unsubscribes: events published while no one here was in the room
 * are not lost. It is not forgotten when Redis ends a subscription and the backplane subscribes
 * again: what was published meanwhile is. At most {@value #MAX_ORIGINS} publishing nodes are
 * remembered per channel (the least recently heard from go first), so memory is bounded by the
 * channels subscribed.
 *
 * <p>Threading: not thread-safe; {@link EventReceiver} calls it under its lock.
 */
final class Arrivals {
  /** The most publishing nodes remembered per channel. */
  static final int MAX_ORIGINS = 1024;

  private final Map<String, Map<String, long[]>> channels = new HashMap<>();

  /** What {@link #arrived} returns for an event at or below the last one seen: not delivered. */
  static final long SEEN = -1;

  /**
   * An event arrived.
   *
   * @return how many events of its origin on this channel were lost just before it, or {@link
   *     #SEEN} for a copy of one already seen, or one that comes after a later one (counted lost
   *     then): it is not to be delivered
   */
  long arrived(String channel, String origin, long epoch, long seq) {
    Map<String, long[]> origins = channels.computeIfAbsent(channel, c -> newOrigins());
    long[] last = origins.get(origin);
    if (last == null) {
      origins.put(origin, new long[] {epoch, seq});
      return 0;
    }
    long lost;
    if (epoch > last[0]) {
      lost = Math.max(0, seq - 1);
    } else if (epoch == last[0] && seq > last[1]) {
      lost = seq - last[1] - 1;
    } else {
      return SEEN;
    }
    last[0] = epoch;
    last[1] = seq;
    return lost;
  }

  /** Starts counting afresh on a channel. */
  void forget(String channel) {
    channels.remove(channel);
  }

  private static Map<String, long[]> newOrigins() {
    return new LinkedHashMap<>(4, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
        return size() > MAX_ORIGINS;
      }
    };
  }
}
