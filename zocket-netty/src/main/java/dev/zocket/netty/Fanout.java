package dev.zocket.netty;

import dev.zocket.internal.Delivery;
import dev.zocket.internal.Observers;
import dev.zocket.internal.Outgoing;
import dev.zocket.spi.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes an event to its recipients on this node, encoded once: as a complete WebSocket frame
 * (header and payload) in a pooled buffer, of which every recipient is written the same bytes (see
 * {@link ServerConnection#write}). Recipients on the calling thread's own I/O thread are written at
 * once; the others are gathered per I/O thread and written by one task there, rather than by a task
 * per recipient. An event for one room (no exceptions) goes to each I/O thread's {@link
 * RoomFrames}, which joins the events of a pass for the same members and writes them together. The
 * recipients are the {@link Directory}'s.
 *
 * <p>Without connection-state recovery it is the server's {@link Delivery}: an event is written
 * here, then its text goes to the {@link BackplaneLink}, if any, for the other nodes. With
 * recovery, the recovery store delivers events here in its order ({@link SessionRecovery}).
 *
 * <p>Thread-safe; never blocks.
 */
final class Fanout implements Delivery {
  private final Directory directory;

  /** Where events go to the other nodes; null without a backplane. */
  private final BackplaneLink backplane;

  private final Observers observers;

  /** The number of I/O threads, to size the batches of events written from other threads. */
  private final int ioThreads;

  Fanout(Directory directory, BackplaneLink backplane, Observers observers, int ioThreads) {
    this.directory = directory;
    this.backplane = backplane;
    this.observers = observers;
    this.ioThreads = ioThreads;
  }

  /**
   * Writes the event once, as a complete WebSocket frame, delivers it to the local recipients and
   * then hands its text to the backplane, if any.
   */
  @Override
  public void deliver(String route, Target target, Outgoing event) {
    ByteBuf frame = TextFrames.encode(ByteBufAllocator.DEFAULT, event);
    int bytes = frame.readableBytes();
    byte[] text = backplane == null ? null : TextFrames.text(frame);
    int recipients = deliver(target, frame, true);
    if (text != null) {
      backplane.publish(target, text);
    }
    if (observers.enabled) {
      observers.onEventSent(route, recipients, bytes);
    }
  }

  /**
   * Writes a frame to every local recipient of a target, then releases it; returns the number of
   * recipients. {@code direct}: whether a recipient of the calling I/O thread is written at once;
   * when events must reach each connection in the order they were handed over from several threads,
   * every write goes as a task instead (a direct write could overtake a task already queued).
   */
  int deliver(Target target, ByteBuf shared, boolean direct) {
    try {
      List<String> ids = target.ids();
      List<String> except = target.except();
      switch (target.kind()) {
        case CLIENTS -> {
          Collection<String> unique = ids.size() > 1 ? new HashSet<>(ids) : ids;
          Recipients out = new Recipients(shared, unique.size(), direct);
          for (String id : unique) {
            ServerConnection c = directory.connection(id);
            if (c != null && !except.contains(id)) {
              out.add(c);
            }
          }
          return out.send();
        }
        case ROOMS -> {
          if (ids.size() == 1) {
            Room room = directory.room(ids.get(0));
            if (room == null) {
              return 0;
            }
            return except.isEmpty()
                ? toRoom(room.byLoop(), shared, direct)
                : writeAll(room.members(), except, shared, direct);
          } else {
            Set<ServerConnection> all = new HashSet<>();
            for (String id : ids) {
              Room room = directory.room(id);
              if (room != null) {
                all.addAll(room.members());
              }
            }
            return writeAll(all, except, shared, direct);
          }
        }
        case EVERYONE -> {
          return writeAll(directory.connections(), except, shared, direct);
        }
        default -> throw new AssertionError(target.kind());
      }
    } finally {
      shared.release();
    }
  }

  /**
   * Hands a frame to the {@link RoomFrames} of each I/O thread of a room's members, held back there
   * until its pass ends; at once on the calling thread's own when {@code direct} allows it, else in
   * a task. Returns the number of members. The caller keeps its reference.
   */
  private static int toRoom(Room.Members room, ByteBuf frame, boolean direct) {
    if (room.loop != null) {
      toLoop(room.loop, room.onLoop, frame, direct);
    } else if (room.loops != null) {
      for (int i = 0; i < room.loops.length; i++) {
        toLoop(room.loops[i], room.members[i], frame, direct);
      }
    }
    return room.size;
  }

  /** Hands a frame to one I/O thread's {@link RoomFrames} for its members {@code to}. */
  private static void toLoop(EventLoop loop, ServerConnection[] to, ByteBuf frame, boolean direct) {
    if (direct && loop.inEventLoop()) {
      RoomFrames.add(to, frame, loop);
      return;
    }
    frame.retain();
    try {
      loop.execute(
          () -> {
            try {
              RoomFrames.add(to, frame, loop);
            } finally {
              frame.release();
            }
          });
    } catch (RejectedExecutionException e) {
      frame.release(); // the I/O thread is stopping: its connections are closing
    }
  }

  /** Writes a frame to connections but those excepted; returns how many it was written to. */
  private int writeAll(
      Collection<ServerConnection> to, List<String> except, ByteBuf frame, boolean direct) {
    Recipients out = new Recipients(frame, to.size(), direct);
    for (ServerConnection c : to) {
      if (except.isEmpty() || !except.contains(c.clientId())) {
        out.add(c);
      }
    }
    return out.send();
  }

  /**
   * The recipients of one event, as they are found: written at once when they belong to the calling
   * thread's I/O thread and {@code direct} allows it, else gathered into one {@link Batch} per I/O
   * thread.
   */
  private final class Recipients {
    private final ByteBuf frame;
    private final int expected;
    private final boolean direct;
    private Batch batches;
    private int added;

    /**
     * References to the frame taken for the recipients written at once and not yet handed to them:
     * taken together (one atomic update for many recipients, not one each), the unused ones given
     * back by {@link #send}.
     */
    private int references;

    Recipients(ByteBuf frame, int expected, boolean direct) {
      this.frame = frame;
      this.expected = expected;
      this.direct = direct;
    }

    void add(ServerConnection c) {
      added++;
      EventLoop loop = c.eventLoop();
      if (direct && loop.inEventLoop()) {
        if (references == 0) {
          references = Math.max(1, expected - added + 1);
          frame.retain(references);
        }
        references--;
        c.writeOwned(frame);
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

    /** Submits the batches; returns the number of recipients. */
    int send() {
      if (references > 0) {
        frame.release(references);
        references = 0;
      }
      for (Batch b = batches; b != null; b = b.next) {
        b.submit();
      }
      return added;
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
      // One reference per connection, taken at once; this task's own passes to the last one.
      if (size > 1) {
        frame.retain(size - 1);
      }
      int i = 0;
      try {
        for (; i < size; i++) {
          to[i].writeOwned(frame);
        }
      } finally {
        if (size == 0) {
          frame.release();
        } else if (i < size - 1) {
          // A write threw: the connections after it did not take theirs (the one that threw keeps
          // its own, as it would have with a reference taken by itself).
          frame.release(size - i - 1);
        }
      }
    }
  }
}
