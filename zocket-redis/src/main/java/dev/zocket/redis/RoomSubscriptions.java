package dev.zocket.redis;

import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms that have local members, and the subscriptions to their channels, so that Redis sends
 * this node the traffic of those rooms only. The commands are asynchronous and their confirmations
 * come later, while the room may have changed again meanwhile, so three things keep the
 * subscriptions in line with the rooms: commands go out under the rooms' lock, in the order of the
 * room changes; a confirmation that no longer matches the room undoes or redoes its subscription;
 * and after every connect all the rooms are subscribed again, those joined while Redis was away
 * included. A command that fails (Redis away) is repaired by that resubscription.
 *
 * <p>Threading: {@link #add} and {@link #remove} are called from the server's threads (I/O and
 * handler threads, one at a time per room); confirmations and {@link #resubscribe} from Lettuce's
 * I/O thread of the subscriber connection. Nothing here blocks. Thread-safe.
 */
final class RoomSubscriptions {
  // Logs under the backplane's name, as it did before this class was split out of it.
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  private final Channels channels;
  private final boolean sharded;
  private final boolean clustered;
  private final BooleanSupplier closed;
  private final Runnable repair;

  /** The rooms that have local members; guarded by itself, as are subscription commands. */
  private final Set<String> rooms = new HashSet<>();

  /**
   * The channels of rooms that got a first local member and whose subscription is not confirmed
   * yet; guarded by {@link #rooms}. Their events are counted afresh from the confirmation on.
   */
  private final Set<String> fresh = new HashSet<>();

  private volatile RedisPubSubAsyncCommands<String, byte[]> commands;

  /**
   * No room yet; commands go out once {@link #commands} has the subscriber connection's.
   *
   * @param sharded whether to send {@code SSUBSCRIBE} rather than {@code SUBSCRIBE}
   * @param clustered whether Redis is a cluster: then each channel has a command of its own (one
   *     {@code SSUBSCRIBE} may only name channels of one slot), and a failed subscription asks for
   *     {@code repair} (the cluster's topology changed: no reconnect will come to redo it)
   * @param closed whether the backplane is closed: then nothing is sent and failures are quiet
   * @param repair brings the subscriptions back after a failure on a cluster; see {@link
   *     ClusterRepair}
   */
  RoomSubscriptions(
      Channels channels,
      boolean sharded,
      boolean clustered,
      BooleanSupplier closed,
      Runnable repair) {
    this.channels = channels;
    this.sharded = sharded;
    this.clustered = clustered;
    this.closed = closed;
    this.repair = repair;
  }

  /** The subscriber connection's commands, once it is open; null when it is closed. */
  void commands(RedisPubSubAsyncCommands<String, byte[]> commands) {
    this.commands = commands;
  }

  /** A room got its first local member. */
  void add(String room) {
    synchronized (rooms) {
      if (rooms.add(room)) {
        String channel = channels.room(room);
        fresh.add(channel);
        subscribe(List.of(channel));
      }
    }
  }

  /** A room lost its last local member. */
  void remove(String room) {
    synchronized (rooms) {
      if (rooms.remove(room)) {
        fresh.remove(channels.room(room));
        unsubscribe(List.of(channels.room(room)));
      }
    }
  }

  /**
   * Brings the subscriptions in line with the local rooms once the subscriber connection is (again)
   * subscribed to this node's channel, that is after every connect: rooms that gained local members
   * while Redis was away are subscribed now.
   */
  void resubscribe() {
    synchronized (rooms) {
      List<String> roomChannels = new ArrayList<>(rooms.size());
      for (String room : rooms) {
        roomChannels.add(channels.room(room));
      }
      subscribe(roomChannels);
    }
  }

  /**
   * A subscription was confirmed: if the room has no local member any more, undo it.
   *
   * @return whether the channel's events are to be counted afresh: its room just got its first
   *     local member, or has none any more (rather than Redis having ended the subscription, when
   *     what was published meanwhile is lost)
   */
  boolean subscribed(String channel) {
    String room = channels.roomOf(channel);
    if (room == null) {
      return false;
    }
    synchronized (rooms) {
      boolean first = fresh.remove(channel);
      if (!rooms.contains(room)) {
        unsubscribe(List.of(channel));
        return true;
      }
      return first;
    }
  }

  /**
   * An unsubscription was confirmed: if the room has local members again (or Redis ended the
   * subscription), subscribe again.
   *
   * @return whether the channel's events are to be counted afresh: its room has no local member
   */
  boolean unsubscribed(String channel) {
    String room = channels.roomOf(channel);
    if (room == null) {
      return false;
    }
    synchronized (rooms) {
      if (rooms.contains(room)) {
        subscribe(List.of(channel));
        return false;
      }
      return true;
    }
  }

  /** Called holding the rooms lock, so that commands go out in the order of the room changes. */
  private void subscribe(List<String> channels) {
    RedisPubSubAsyncCommands<String, byte[]> commands = this.commands;
    if (commands == null || closed.getAsBoolean() || channels.isEmpty()) {
      return;
    }
    if (clustered) {
      for (String channel : channels) {
        commands.ssubscribe(channel).whenComplete((v, t) -> failed("subscribe", t));
      }
      return;
    }
    String[] array = channels.toArray(new String[0]);
    // A failure (Redis down) is repaired by the resubscription that follows the reconnect.
    (sharded ? commands.ssubscribe(array) : commands.subscribe(array))
        .whenComplete((v, t) -> failed("subscribe", t));
  }

  private void unsubscribe(List<String> channels) {
    RedisPubSubAsyncCommands<String, byte[]> commands = this.commands;
    if (commands == null || closed.getAsBoolean()) {
      return;
    }
    if (clustered) {
      for (String channel : channels) {
        commands.sunsubscribe(channel).whenComplete((v, t) -> failed("unsubscribe", t));
      }
      return;
    }
    String[] array = channels.toArray(new String[0]);
    (sharded ? commands.sunsubscribe(array) : commands.unsubscribe(array))
        .whenComplete((v, t) -> failed("unsubscribe", t));
  }

  private void failed(String what, Throwable t) {
    if (t == null || closed.getAsBoolean()) {
      return;
    }
    if (clustered) {
      log.debug("Redis {} failed; the subscriptions are repaired: {}", what, t.toString());
      repair.run();
    } else {
      log.debug("Redis {} failed; it is repeated after the reconnect: {}", what, t.toString());
    }
  }
}
