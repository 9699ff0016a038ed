package dev.zocket.netty;

import dev.zocket.internal.Delivery;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.Target;
import dev.zocket.spi.Backplane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * The in-process registry of open connections and rooms, and the server's {@link Delivery}: an
 * event is encoded once as a complete WebSocket frame (header and payload) in a pooled buffer and
 * every recipient is written a duplicate of it, so the same bytes go to all (see {@link
 * ServerConnection#write}); with a backplane, its text is then published once. A room exists while
 * it has members. Thread-safe; never blocks.
 *
 * <p>With a {@link Backplane}, the registry tells it when a room gets its first member and loses
 * its last one, from inside the room's atomic update so that the calls for one room are made in
 * order; and it is the backplane's {@link Backplane.Node}, delivering what other nodes send.
 */
final class LocalRegistry implements Delivery, Backplane.Node {
  private final ConcurrentHashMap<String, ServerConnection> connections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<ServerConnection>> rooms = new ConcurrentHashMap<>();

  /** Null without a backplane. */
  private final Backplane backplane;

  /** The number of I/O threads, to size the batches of events written from other threads. */
  private final int ioThreads;

  LocalRegistry(Backplane backplane, int ioThreads) {
    this.backplane = backplane;
    this.ioThreads = ioThreads;
  }

  void add(ServerConnection c) {
    connections.put(c.clientId(), c);
  }

  /** Removes a connection and its memberships; its own list of room names is left as is. */
  void remove(ServerConnection c, Collection<String> roomNames) {
    connections.remove(c.clientId(), c);
    for (String room : roomNames) {
      leave(room, c);
    }
  }

  void join(String room, ServerConnection c) {
    rooms.compute(
        room,
        (name, members) -> {
          Set<ServerConnection> m = members;
          if (m == null) {
            m = ConcurrentHashMap.newKeySet();
            if (backplane != null) {
              backplane.subscribe(name);
            }
          }
          m.add(c);
          return m;
        });
  }

  void leave(String room, ServerConnection c) {
    rooms.computeIfPresent(
        room,
        (name, members) -> {
          members.remove(c);
          if (!members.isEmpty()) {
            return members;
          }
          if (backplane != null) {
            backplane.unsubscribe(name);
          }
          return null;
        });
  }

  int connectionCount() {
    return connections.size();
  }

  int roomCount() {
    return rooms.size();
  }

  /** The public view of a target, for the backplane. */
  private static dev.zocket.spi.Target toSpi(Target target) {
    dev.zocket.spi.Target.Kind kind =
        switch (target.kind()) {
          case CLIENTS -> dev.zocket.spi.Target.Kind.CLIENTS;
          case ROOMS -> dev.zocket.spi.Target.Kind.ROOMS;
          case EVERYONE -> dev.zocket.spi.Target.Kind.EVERYONE;
        };
    return new dev.zocket.spi.Target(kind, target.ids(), target.except());
  }

  /** Delivers an event that another node published (see {@link Backplane.Node#deliver}). */
  @Override
  public void deliver(dev.zocket.spi.Target target, byte[] frame) {
    Target.Kind kind =
        switch (target.kind()) {
          case CLIENTS -> Target.Kind.CLIENTS;
          case ROOMS -> Target.Kind.ROOMS;
          case EVERYONE -> Target.Kind.EVERYONE;
        };
    deliverLocally(
        new Target(kind, target.ids(), target.except()),
        TextFrames.of(ByteBufAllocator.DEFAULT, frame));
  }

  /**
   * Writes the event once, as a complete WebSocket frame, delivers it to the local recipients and
   * then hands its text to the backplane, if any.
   */
  @Override
  public void deliver(Target target, Outgoing event) {
    ByteBuf frame = TextFrames.encode(ByteBufAllocator.DEFAULT, event);
    byte[] text = null;
    if (backplane != null) {
      int header = TextFrames.headerLength(frame);
      text =
          ByteBufUtil.getBytes(frame, frame.readerIndex() + header, frame.readableBytes() - header);
    }
    deliverLocally(target, frame);
    if (text != null) {
      backplane.publish(toSpi(target), text);
    }
  }

  /**
   * Writes a frame to every local recipient of a target, then releases it. Recipients on the
   * calling thread's own I/O thread are written at once; the others are gathered per I/O thread and
   * written by one task there, rather than by a task per recipient.
   */
  private void deliverLocally(Target target, ByteBuf shared) {
    try {
      List<String> ids = target.ids();
      List<String> except = target.except();
      switch (target.kind()) {
        case CLIENTS -> {
          Collection<String> unique = ids.size() > 1 ? new HashSet<>(ids) : ids;
          Fanout out = new Fanout(shared, unique.size());
          for (String id : unique) {
            ServerConnection c = connections.get(id);
            if (c != null && !except.contains(id)) {
              out.add(c);
            }
          }
          out.send();
        }
        case ROOMS -> {
          if (ids.size() == 1) {
            Set<ServerConnection> members = rooms.get(ids.get(0));
            if (members != null) {
              writeAll(members, except, shared);
            }
          } else {
            Set<ServerConnection> all = new HashSet<>();
            for (String room : ids) {
              Set<ServerConnection> members = rooms.get(room);
              if (members != null) {
                all.addAll(members);
              }
            }
            writeAll(all, except, shared);
          }
        }
        case EVERYONE -> writeAll(connections.values(), except, shared);
      }
    } finally {
      shared.release();
    }
  }

  private void writeAll(Collection<ServerConnection> to, List<String> except, ByteBuf frame) {
    Fanout out = new Fanout(frame, to.size());
    for (ServerConnection c : to) {
      if (except.isEmpty() || !except.contains(c.clientId())) {
        out.add(c);
      }
    }
    out.send();
  }

  /**
   * The recipients of one event, as they are found: written at once when they belong to the calling
   * thread's I/O thread, else gathered into one {@link Batch} per I/O thread.
   */
  private final class Fanout {
    private final ByteBuf frame;
    private final int expected;
    private Batch batches;

    Fanout(ByteBuf frame, int expected) {
      this.frame = frame;
      this.expected = expected;
    }

    void add(ServerConnection c) {
      EventLoop loop = c.eventLoop();
      if (loop.inEventLoop()) {
        c.write(frame);
        return;
      }
      Batch b = batches;
      while (b != null && b.loop != loop) {
        b = b.next;
      }
      if (b == null) {
        b = new Batch(loop, frame, expected / ioThreads + 8, batches);
        batches = b;
      }
      b.add(c);
    }

    void send() {
      for (Batch b = batches; b != null; b = b.next) {
        b.submit();
      }
    }
  }

  /** Connections of one I/O thread to write a frame to, in one task on that thread. */
  private static final class Batch implements Runnable {
    final EventLoop loop;
    final Batch next;
    private final ByteBuf frame;
    private ServerConnection[] to;
    private int size;

    Batch(EventLoop loop, ByteBuf frame, int capacity, Batch next) {
      this.loop = loop;
      this.frame = frame;
      this.to = new ServerConnection[capacity];
      this.next = next;
    }

    void add(ServerConnection c) {
      if (size == to.length) {
        to = Arrays.copyOf(to, size * 2);
      }
      to[size++] = c;
    }

    void submit() {
      frame.retain();
      try {
        loop.execute(this);
      } catch (RejectedExecutionException e) {
        frame.release(); // the I/O thread is stopping: its connections are closing
      }
    }

    @Override
    public void run() {
      try {
        for (int i = 0; i < size; i++) {
          to[i].write(frame);
        }
      } finally {
        frame.release();
      }
    }
  }
}
