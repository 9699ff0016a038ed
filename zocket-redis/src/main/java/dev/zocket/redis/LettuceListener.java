package dev.zocket.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.net.SocketAddress;
import java.util.function.BooleanSupplier;

/**
 * Lettuce's callbacks to the backplane, each handed to the part it concerns, so that those parts
 * know nothing of Lettuce's listener interfaces: messages to {@link EventReceiver}, or to {@link
 * ControlChannel} for those of the control channels; subscription confirmations to {@link
 * RoomSubscriptions}, except that of this node's channel, which means the subscriber connection is
 * (again) subscribed after a connect, so the rooms are subscribed again and {@link
 * ConnectionHealth} counts the subscriber as up; connection events of both connections to {@link
 * ConnectionHealth}. Registered as the subscriber connection's pub/sub listener, and on a single
 * Redis as the client's connection state listener too (on a Redis Cluster the connections are per
 * shard; see {@link ConnectionHealth#publishSucceeded}). Holds nothing of its own.
 *
 * <p>Threading: Lettuce's I/O threads, the event loop of the connection concerned, so the callbacks
 * of one connection come one at a time. Nothing here blocks.
 */
final class LettuceListener extends RedisPubSubAdapter<String, byte[]>
    implements RedisConnectionStateListener {
  private final Channels channels;
  private final EventReceiver receiver;
  private final ControlChannel control;
  private final RoomSubscriptions rooms;
  private final ConnectionHealth health;
  private final BooleanSupplier closed;
  private final Runnable repair;

  /**
   * Hands callbacks to these parts.
   *
   * @param closed whether the backplane is closed: then a lost connection is no outage
   * @param repair subscribes again after Redis ended the subscription of the broadcast channel or
   *     this node's channel without being asked (a Redis Cluster shard failed over or moved their
   *     slot; see {@link ClusterRepair})
   */
  LettuceListener(
      Channels channels,
      EventReceiver receiver,
      ControlChannel control,
      RoomSubscriptions rooms,
      ConnectionHealth health,
      BooleanSupplier closed,
      Runnable repair) {
    this.channels = channels;
    this.receiver = receiver;
    this.control = control;
    this.rooms = rooms;
    this.health = health;
    this.closed = closed;
    this.repair = repair;
  }

  @Override
  public void message(String channel, byte[] message) {
    received(channel, message);
  }

  @Override
  public void smessage(String channel, byte[] message) {
    received(channel, message);
  }

  private void received(String channel, byte[] message) {
    if (channels.isControl(channel)) {
      control.received(message);
    } else {
      receiver.received(channel, message);
    }
  }

  @Override
  public void subscribed(String channel, long count) {
    subscribed(channel);
  }

  @Override
  public void ssubscribed(String channel, long count) {
    subscribed(channel);
  }

  @Override
  public void unsubscribed(String channel, long count) {
    roomUnsubscribed(channel);
  }

  @Override
  public void sunsubscribed(String channel, long count) {
    if (channels.isFixed(channel)) {
      if (!closed.getAsBoolean()) {
        repair.run(); // the backplane never unsubscribes these: Redis did
      }
    } else {
      roomUnsubscribed(channel);
    }
  }

  private void roomUnsubscribed(String channel) {
    if (rooms.unsubscribed(channel)) {
      receiver.forget(channel);
    }
  }

  @Override
  public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
    health.connected(connection);
  }

  @Override
  public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
    if (!closed.getAsBoolean()) {
      health.disconnected(connection);
    }
  }

  /**
   * A subscription was confirmed. This node's channel is subscribed at every connect: then the
   * rooms are subscribed again and the subscriber is up.
   */
  private void subscribed(String channel) {
    if (channel.equals(channels.thisNode)) {
      rooms.resubscribe();
      health.subscribed();
    } else if (rooms.subscribed(channel)) {
      receiver.forget(channel);
    }
  }
}
