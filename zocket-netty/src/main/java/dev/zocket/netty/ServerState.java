package dev.zocket.netty;

import dev.zocket.internal.Drops;
import dev.zocket.internal.Observers;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one running server counts and tracks across its connections: the counters it reports, the
 * server-wide budgets, the sockets and connections open now, and whether it is shutting down. Kept
 * apart from its settings ({@link Hardening}), which never change once the server has started. Any
 * thread: the I/O threads and the handler executor update it, {@link ZocketServer} reads it and
 * shuts the connections down through it.
 */
final class ServerState {
  /** The messages dropped, by reason. */
  final Drops drops;

  /** The bytes of the messages queued for handlers on every connection, and their budget. */
  final InboundMemory inbound;

  /** The bytes all backlogs hold together and the connections that are behind. */
  final BacklogBudget backlogs;

  /** Connections closed for being slow consumers. */
  final LongAdder slowConsumersClosed = new LongAdder();

  /** Every open socket, counted against the connection limits. */
  final Admission admission;

  /**
   * Every accepted channel until it is upgraded (then its connection is {@link #live}), for
   * shutdown. An upgraded connection leaves it so that it pays for one registry entry, not two.
   */
  final ChannelGroup channels = new DefaultChannelGroup("zocket", GlobalEventExecutor.INSTANCE);

  /** Every upgraded connection whose end ({@code onDisconnect}) has not run yet. */
  final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();

  private volatile boolean closing;

  ServerState(Hardening hardening, Observers observers) {
    this.drops = new Drops(observers);
    this.inbound = new InboundMemory(hardening.maxInboundMemory());
    this.backlogs = new BacklogBudget(hardening.maxBacklogMemory());
    this.admission =
        new Admission(hardening.maxConnections(), hardening.maxConnectionsPerAddress());
  }

  /** Whether the server is shutting down. */
  boolean closing() {
    return closing;
  }

  /** Refuses new connections from now on (they are closed with 1001 once upgraded). */
  void stopAccepting() {
    closing = true;
  }

  /**
   * Closes every channel, upgraded ones with 1001, and returns the futures that complete when each
   * connection has ended. A channel upgraded while this runs has its connection in {@link #live}
   * before the connection is known to its frame stage, so it is told there, not closed here.
   */
  List<CompletableFuture<Void>> closeAll() {
    closing = true;
    for (Channel ch : channels) {
      FrameHandler frames = ch.pipeline().get(FrameHandler.class);
      if (frames == null || frames.connection() == null) {
        ch.close();
      }
    }
    List<CompletableFuture<Void>> ends = new ArrayList<>();
    for (ServerConnection c : live) {
      c.goAway();
      ends.add(c.terminated());
    }
    return ends;
  }
}
