package dev.zocket.redis;

import java.util.List;

/**
 * The names of the Redis channels of one backplane, all under the builder's channel prefix (see the
 * "Channels" section of {@link RedisBackplane}). The names are what the nodes of a cluster agree
 * on, so they are made in this one place for publishing, subscribing and reading subscription
 * confirmations alike. Immutable.
 */
final class Channels {
  /** Broadcasts; every node subscribes. */
  final String broadcast;

  /** This node's channel: {@code to(clientId)} events for its clients. */
  final String thisNode;

  /** Control messages to every node; every node subscribes. */
  final String control;

  /** This node's control channel: control messages to it alone. */
  final String thisNodeControl;

  private final String roomPrefix;
  private final String nodePrefix;

  Channels(String prefix, String nodeId) {
    this.roomPrefix = prefix + ":room:";
    this.nodePrefix = prefix + ":node:";
    this.broadcast = prefix + ":all";
    this.thisNode = nodePrefix + nodeId;
    this.control = prefix + ":ctl";
    this.thisNodeControl = control(nodeId);
  }

  /** The control channel of a node. */
  String control(String nodeId) {
    return control + ":" + nodeId;
  }

  /** Whether this is a control channel. */
  boolean isControl(String channel) {
    return channel.equals(control) || channel.startsWith(control + ":");
  }

  /**
   * The channels every node subscribes to as it connects, and again after Redis ended their
   * subscriptions, in that order: this node's channel last, since its confirmation means the others
   * are subscribed too.
   */
  List<String> fixed() {
    return List.of(broadcast, control, thisNodeControl, thisNode);
  }

  /** Whether this is one of the {@link #fixed()} channels. */
  boolean isFixed(String channel) {
    return channel.equals(broadcast)
        || channel.equals(control)
        || channel.equals(thisNodeControl)
        || channel.equals(thisNode);
  }

  /** The channel of a room. */
  String room(String room) {
    return roomPrefix + room;
  }

  /** The channel of a node: {@code to(clientId)} events for the clients of that node. */
  String node(String nodeId) {
    return nodePrefix + nodeId;
  }

  /** The room whose channel this is, or null if it is not a room's channel. */
  String roomOf(String channel) {
    return channel.startsWith(roomPrefix) ? channel.substring(roomPrefix.length()) : null;
  }
}
