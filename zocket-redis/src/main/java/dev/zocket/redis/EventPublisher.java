package dev.zocket.redis;

import dev.zocket.internal.Protocol;
import dev.zocket.spi.Target;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Routes each event to the channels its target needs and publishes it there, once per channel
 * rather than once per recipient: an event to everyone on the broadcast channel; an event to rooms
 * on each room's channel, with one message id when there are several so that a node subscribed to
 * several of them delivers it once; an event to clients on the channel of each node that holds some
 * of them, told by the node prefix of the client ids, with the target narrowed to that node's
 * clients. Each event is numbered on its channel ({@link Sequences}), so that receivers can count
 * what they missed. A failed publish is reported to {@link ConnectionHealth}; nothing is retried.
 *
 * <p>Threading: {@link #publish} is called from the server's threads (I/O and handler threads,
 * concurrently) and returns at once, the commands being asynchronous. A failure is handled on the
 * thread that completes the command: a Lettuce I/O thread, or the publishing thread when Lettuce
 * rejects the command at once while disconnected. Thread-safe.
 */
final class EventPublisher {
  private final String nodeId;
  private final Channels channels;
  private final boolean sharded;
  private final BooleanSupplier closed;
  private final ConnectionHealth health;
  private final PendingBytes budget;
  private final AtomicLong messageIds = new AtomicLong();
  private final Sequences sequences = new Sequences();
  private final int originLength;

  private volatile RedisClusterAsyncCommands<String, byte[]> commands;

  /**
   * Publishes nothing until {@link #commands} has the publisher connection's.
   *
   * @param nodeId this node's id: the origin in every envelope; its own clients are left out
   * @param sharded whether to send {@code SPUBLISH} rather than {@code PUBLISH}
   * @param closed whether the backplane is closed: then nothing is sent and failures are quiet
   * @param budget the bytes that may wait for Redis; an event past it is dropped, not sent
   */
  EventPublisher(
      String nodeId,
      Channels channels,
      boolean sharded,
      BooleanSupplier closed,
      ConnectionHealth health,
      PendingBytes budget) {
    this.nodeId = nodeId;
    this.channels = channels;
    this.sharded = sharded;
    this.closed = closed;
    this.health = health;
    this.budget = budget;
    this.originLength = nodeId.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The publisher connection's commands, once it is open; null when it is closed. */
  void commands(RedisClusterAsyncCommands<String, byte[]> commands) {
    this.commands = commands;
  }

  /** Publishes an event to the other nodes; see {@link RedisBackplane#publish}. */
  void publish(Target target, byte[] frame) {
    RedisClusterAsyncCommands<String, byte[]> commands = this.commands;
    if (commands == null || closed.getAsBoolean()) {
      return;
    }
    List<String> ids = target.ids();
    switch (target.kind()) {
      case EVERYONE ->
          send(commands, channels.broadcast, Envelope.encode(nodeId, 0, target, frame));
      case ROOMS -> {
        if (ids.size() == 1) {
          send(commands, channels.room(ids.get(0)), Envelope.encode(nodeId, 0, target, frame));
        } else if (!ids.isEmpty()) {
          byte[] payload = Envelope.encode(nodeId, messageIds.incrementAndGet(), target, frame);
          boolean first = true;
          for (String room : new LinkedHashSet<>(ids)) {
            // Numbered per channel: each room's copy has bytes of its own.
            send(commands, channels.room(room), first ? payload : payload.clone());
            first = false;
          }
        }
      }
      case CLIENTS -> {
        for (Map.Entry<String, List<String>> e : clientsByNode(ids).entrySet()) {
          Target forNode = new Target(Target.Kind.CLIENTS, e.getValue(), target.except());
          send(commands, channels.node(e.getKey()), Envelope.encode(nodeId, 0, forNode, frame));
        }
      }
    }
  }

  /** Groups client ids by the node in their prefix, leaving out this node's and unknown ones. */
  private Map<String, List<String>> clientsByNode(List<String> ids) {
    Map<String, List<String>> byNode = new LinkedHashMap<>();
    for (String id : ids) {
      int dot = id.indexOf('.');
      if (dot <= 0) {
        continue; // not a clustered client id
      }
      String node = id.substring(0, dot);
      if (!node.equals(nodeId) && Protocol.isNodeId(node)) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>(1)).add(id);
      }
    }
    return byNode;
  }

  /**
   * Numbers the event on its channel and sends it, or drops it if the budget is full. The number is
   * taken even when the event is dropped, so that the receivers see the gap and count it lost.
   */
  private void send(
      RedisClusterAsyncCommands<String, byte[]> commands, String channel, byte[] payload) {
    int bytes = payload.length;
    RedisFuture<Long> f;
    Sequences.Count count = sequences.of(channel);
    synchronized (count) { // the numbers go out in order
      Envelope.number(payload, originLength, count.epoch, count.next());
      if (!budget.take(bytes)) {
        health.backlogFull(budget);
        return;
      }
      try {
        f = sharded ? commands.spublish(channel, payload) : commands.publish(channel, payload);
      } catch (RuntimeException e) {
        budget.release(bytes);
        throw e;
      }
    }
    f.whenComplete(
        (receivers, failure) -> {
          budget.release(bytes);
          published(failure);
        });
  }

  private void published(Throwable failure) {
    if (failure == null) {
      health.publishSucceeded(budget);
    } else if (!closed.getAsBoolean()) {
      health.publishFailed(failure);
    }
  }
}
