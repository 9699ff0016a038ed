package dev.zocket.netty;

import dev.zocket.internal.Observers;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.Target;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.CompletionStage;

/**
 * This node's link to the other nodes through a {@link Backplane}: it subscribes to the rooms that
 * have members here (told by the {@link Directory}), publishes the events of this node (handed by
 * the {@link Fanout}), and, as the backplane's {@link Backplane.Node}, delivers what other nodes
 * publish through the fan-out. Under connection-state recovery the recovery store carries events
 * between nodes instead, and rooms are not subscribed to. It also carries the control messages of
 * the {@link ClusterControl} both ways. Thread-safe.
 */
final class BackplaneLink implements Backplane.Node {
  private final Backplane backplane;
  private final Observers observers;

  /** Where events of other nodes are written; set by {@link #start}. */
  private volatile Fanout fanout;

  /** Where control messages of other nodes go; set before {@link #start}. */
  private volatile ClusterControl control;

  BackplaneLink(Backplane backplane, Observers observers) {
    this.backplane = backplane;
    this.observers = observers;
  }

  /** Starts the backplane, delivering what it receives through {@code fanout}. */
  void start(Fanout fanout) {
    this.fanout = fanout;
    backplane.start(this);
  }

  /** Where control messages of other nodes go; called once, before {@link #start}. */
  void controlTo(ClusterControl control) {
    this.control = control;
  }

  /** Sends a control message to a node, or every other node (null). */
  CompletionStage<Integer> sendControl(String nodeId, byte[] message) {
    return backplane.sendControl(nodeId, message);
  }

  /** Hands a control message of another node to the cluster control. */
  @Override
  public void receiveControl(String fromNodeId, byte[] message) {
    ClusterControl c = control;
    if (c != null) {
      c.receive(fromNodeId, message);
    }
  }

  /** A room got its first member on this node. Inside the directory's update of the room. */
  void subscribe(String room) {
    backplane.subscribe(room);
  }

  /** A room lost its last member on this node. Inside the directory's update of the room. */
  void unsubscribe(String room) {
    backplane.unsubscribe(room);
  }

  /** Hands the text of an event delivered here to the other nodes. */
  void publish(Target target, byte[] text) {
    backplane.publish(target, text);
    if (observers.enabled) {
      observers.onBackplanePublished(text.length);
    }
  }

  /** Delivers an event that another node published (see {@link Backplane.Node#deliver}). */
  @Override
  public void deliver(Target target, byte[] frame) {
    int recipients = fanout.deliver(target, TextFrames.of(ByteBufAllocator.DEFAULT, frame), true);
    if (observers.enabled) {
      observers.onBackplaneReceived(recipients, frame.length);
    }
  }

  @Override
  public void reportOutage() {
    if (observers.enabled) {
      observers.onBackplaneOutage();
    }
  }

  @Override
  public void reportLost(String fromNodeId, long events) {
    if (observers.enabled) {
      observers.onBackplaneLost(fromNodeId, events);
    }
  }

  @Override
  public void reportRecovery() {
    if (observers.enabled) {
      observers.onBackplaneRecovered();
    }
  }
}
