package dev.zocket.redis;

import dev.zocket.spi.Backplane.Node;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control messages of the server's cluster operations ({@link RedisBackplane#sendControl}):
 * published on {@code <prefix>:ctl}, which every node subscribes to, or on {@code
 * <prefix>:ctl:<nodeId>}, that node's own; received and handed to the server with the sender's node
 * id. The count {@code PUBLISH} answers (the subscribers that got the message) tells the server how
 * many answers to wait for; this node's own subscription to {@code <prefix>:ctl} is taken off it.
 * The bytes on the channel:
 *
 * <pre>
 * version:u8=0x43 ('C')  origin:length i32, UTF-8  message:rest
 * </pre>
 *
 * <p>Threading: {@link #send} is called from the server's threads and returns at once; {@link
 * #received} on Lettuce's I/O threads (on a Redis Cluster, concurrently from the connections of the
 * shards of the two control channels), and hands the messages on one at a time, as {@link
 * Node#receiveControl} expects. Thread-safe.
 */
final class ControlChannel {
  // Logs under the backplane's name, as its other parts do.
  private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);

  static final byte VERSION = 0x43;

  private final String nodeId;
  private final byte[] origin;
  private final Channels channels;

  /** The bytes waiting for Redis, events included: control messages count against it. */
  private final PendingBytes budget;

  private final boolean sharded;
  private final BooleanSupplier closed;
  private volatile RedisClusterAsyncCommands<String, byte[]> commands;
  private volatile Node node;

  /**
   * Sends nothing until {@link #commands} has the publisher connection's.
   *
   * @param sharded whether to send {@code SPUBLISH} rather than {@code PUBLISH}
   * @param closed whether the backplane is closed: then nothing is sent
   */
  ControlChannel(
      String nodeId,
      Channels channels,
      boolean sharded,
      BooleanSupplier closed,
      PendingBytes budget) {
    this.budget = budget;
    this.nodeId = nodeId;
    this.origin = nodeId.getBytes(StandardCharsets.UTF_8);
    this.channels = channels;
    this.sharded = sharded;
    this.closed = closed;
  }

  /** The publisher connection's commands, once it is open; null when it is closed. */
  void commands(RedisClusterAsyncCommands<String, byte[]> commands) {
    this.commands = commands;
  }

  /** Where messages from other nodes go; set as the backplane starts. */
  void deliverTo(Node node) {
    this.node = node;
  }

  /**
   * Publishes a message to a node, or to every other node (null); completes with the number of
   * nodes that received it, or fails when Redis is not reachable.
   */
  CompletionStage<Integer> send(String toNode, byte[] message) {
    RedisClusterAsyncCommands<String, byte[]> commands = this.commands;
    if (commands == null || closed.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("The Redis backplane of node " + nodeId + " is not open"));
    }
    String channel = toNode == null ? channels.control : channels.control(toNode);
    ByteBuffer out = ByteBuffer.allocate(1 + 4 + origin.length + message.length);
    out.put(VERSION).putInt(origin.length).put(origin).put(message);
    int bytes = out.capacity();
    if (!budget.take(bytes)) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "Redis is not keeping up: " + budget.pending() + " bytes are waiting for it"));
    }
    RedisFuture<Long> f;
    try {
      f =
          sharded
              ? commands.spublish(channel, out.array())
              : commands.publish(channel, out.array());
    } catch (RuntimeException e) {
      budget.release(bytes);
      return CompletableFuture.failedFuture(e);
    }
    f.whenComplete((receivers, failure) -> budget.release(bytes));
    // To every node: this node's own subscription is among those counted.
    int self = toNode == null ? 1 : 0;
    return f.thenApply(receivers -> (int) Math.max(receivers - self, 0));
  }

  /** A message arrived on a control channel. */
  void received(byte[] payload) {
    String from;
    byte[] message;
    try {
      ByteBuffer in = ByteBuffer.wrap(payload);
      if (in.get() != VERSION) {
        log.debug("Ignoring a control message that is not a Zocket one");
        return;
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        log.debug("Ignoring a malformed control message");
        return;
      }
      from = new String(payload, in.position(), length, StandardCharsets.UTF_8);
      message = Arrays.copyOfRange(payload, in.position() + length, payload.length);
    } catch (BufferUnderflowException e) {
      log.debug("Ignoring a malformed control message");
      return;
    }
    if (from.equals(nodeId)) {
      return; // our own, to every node: Redis sends it back to us too
    }
    Node n = node;
    if (n != null) {
      synchronized (this) {
        try {
          n.receiveControl(from, message);
        } catch (RuntimeException e) {
          log.warn("Handling a control message from node {} failed", from, e);
        }
      }
    }
  }
}
