package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Delivery;
import dev.zocket.internal.Observers;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.Protocol;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

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
final class LocalRegistry implements Delivery, Backplane.Node, RecoveryStore.Log {
  /**
   * What a membership costs the heap, in bytes, as the room memory budget counts it: the member's
   * place in its room and in its own list of rooms (measured with {@code RoomMemory}: 51 bytes in a
   * shared room).
   */
  static final int MEMBERSHIP_BYTES = 64;

  /**
   * What a room costs beyond its memberships: its entry, its id's object and its members array,
   * plus a byte per character of its id, two if any is beyond Latin-1 (measured with {@code
   * RoomMemory}: a room of its own with a 64-character id took 221 bytes in all, one with a
   * 1,000-character id 1,159; counted as 288 and 1,224).
   */
  static final int ROOM_BYTES = 160;

  private final ConcurrentHashMap<String, ServerConnection> connections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

  /** Null without a backplane. */
  private final Backplane backplane;

  /**
   * Under connection-state recovery, the store that numbers, keeps and hands back every event, in
   * the order every connection gets them; null without recovery. Set before the server starts.
   */
  private RecoveryStore recovery;

  /** The recipients of the last event this thread delivered for the recovery store. */
  private static final FastThreadLocal<int[]> DELIVERED =
      new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
          return new int[1];
        }
      };

  /**
   * Under recovery, the positions of the last event whose recipients this node began to look up,
   * and of the last one whose recipients it has looked up: a room joined or left between them may
   * or may not have had the event (see {@link SessionRooms}). Null before the first event.
   */
  private volatile String started;

  private volatile String finished;

  /** Told of every event sent and of the backplane's traffic and outages. */
  private final Observers observers;

  /** The number of I/O threads, to size the batches of events written from other threads. */
  private final int ioThreads;

  /** The room memory budget, and what the rooms and memberships take of it now. */
  private final long maxRoomMemory;

  private final AtomicLong roomMemory = new AtomicLong();

  LocalRegistry(Backplane backplane, Observers observers, int ioThreads, long maxRoomMemory) {
    this.backplane = backplane;
    this.observers = observers;
    this.ioThreads = ioThreads;
    this.maxRoomMemory = maxRoomMemory;
  }

  /** Switches on connection-state recovery, before the server starts. */
  void recovery(RecoveryStore store) {
    this.recovery = store;
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

  /**
   * Adds a member to a room, creating it if need be, and returns the room's id as the registry
   * keeps it, for the member's own list to share.
   *
   * @throws ZocketException with code {@code LIMIT_EXCEEDED} when the room memory budget would be
   *     exceeded
   */
  String join(String room, ServerConnection c) {
    Room r =
        rooms.compute(
            room,
            (name, existing) -> {
              Room joined = existing != null ? existing : new Room(name);
              if (joined.add(c)) {
                long cost = MEMBERSHIP_BYTES + (existing == null ? roomBytes(name) : 0);
                if (roomMemory.addAndGet(cost) > maxRoomMemory) {
                  roomMemory.addAndGet(-cost);
                  joined.remove(c);
                  throw new ZocketException(
                      ErrorCodes.LIMIT_EXCEEDED,
                      "The server's memory for rooms is full; try again later");
                }
                if (existing == null && backplane != null && recovery == null) {
                  backplane.subscribe(name);
                }
              }
              return joined;
            });
    return r.name;
  }

  void leave(String room, ServerConnection c) {
    rooms.computeIfPresent(
        room,
        (name, members) -> {
          if (!members.remove(c)) {
            return members;
          }
          if (!members.isEmpty()) {
            roomMemory.addAndGet(-MEMBERSHIP_BYTES);
            return members;
          }
          roomMemory.addAndGet(-MEMBERSHIP_BYTES - roomBytes(name));
          if (backplane != null && recovery == null) {
            backplane.unsubscribe(name);
          }
          return null;
        });
  }

  /** A room's cost beyond its memberships: one byte per character of a Latin-1 id, else two. */
  static long roomBytes(String name) {
    int perChar = 1;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) > 0xff) {
        perChar = 2;
        break;
      }
    }
    return ROOM_BYTES + (long) perChar * name.length();
  }

  /**
   * Takes {@code bytes} of the room memory budget for something else a client holds there (a parked
   * session's rooms, a session's record of its rooms); give them back with {@link #release}.
   *
   * @return whether the budget had room (nothing is taken when it had not)
   */
  boolean reserve(long bytes) {
    if (roomMemory.addAndGet(bytes) > maxRoomMemory) {
      roomMemory.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #reserve} took. */
  void release(long bytes) {
    roomMemory.addAndGet(-bytes);
  }

  /** The bytes the rooms and memberships take of the budget now. */
  long roomMemory() {
    return roomMemory.get();
  }

  int connectionCount() {
    return connections.size();
  }

  int roomCount() {
    return rooms.size();
  }

  /** Delivers an event that another node published (see {@link Backplane.Node#deliver}). */
  @Override
  public void deliver(Target target, byte[] frame) {
    int recipients = deliverLocally(target, TextFrames.of(ByteBufAllocator.DEFAULT, frame), true);
    if (observers.enabled) {
      observers.onBackplaneReceived(recipients, frame.length);
    }
  }

  /**
   * Delivers an event in the recovery store's order: every write is handed to the recipient's I/O
   * thread as a task, even on that thread, so that each connection is written its events in the
   * order of their positions (a direct write could overtake a task already queued).
   */
  @Override
  public void deliver(RecoveryStore.Event event) {
    byte[] text = Protocol.withPosition(event.text(), event.position());
    started = event.position();
    DELIVERED.get()[0] =
        deliverLocally(event.target(), TextFrames.of(ByteBufAllocator.DEFAULT, text), false);
    finished = event.position();
  }

  /**
   * Under recovery, the position of the last event whose recipients were all looked up: a change of
   * rooms made after this call cannot have changed who got it or any earlier event. Null before the
   * first event.
   */
  String lastDelivered() {
    return finished;
  }

  /**
   * Under recovery, the position of the last event whose recipients began to be looked up: no later
   * event can see a change of rooms made before this call. Null before the first event.
   */
  String lastStarted() {
    return started;
  }

  @Override
  public void reportOutage() {
    if (observers.enabled) {
      observers.onBackplaneOutage();
    }
  }

  @Override
  public void reportRecovery() {
    if (observers.enabled) {
      observers.onBackplaneRecovered();
    }
  }

  /**
   * Writes the event once, as a complete WebSocket frame, delivers it to the local recipients and
   * then hands its text to the backplane, if any.
   */
  @Override
  public void deliver(String route, Target target, Outgoing event) {
    if (recovery != null) {
      append(route, target, event);
      return;
    }
    ByteBuf frame = TextFrames.encode(ByteBufAllocator.DEFAULT, event);
    int bytes = frame.readableBytes();
    byte[] text = null;
    if (backplane != null) {
      int header = TextFrames.headerLength(frame);
      text =
          ByteBufUtil.getBytes(frame, frame.readerIndex() + header, frame.readableBytes() - header);
    }
    int recipients = deliverLocally(target, frame, true);
    if (text != null) {
      backplane.publish(target, text);
    }
    if (observers.enabled) {
      observers.onEventSent(route, recipients, bytes);
      if (text != null) {
        observers.onBackplanePublished(text.length);
      }
    }
  }

  /**
   * Hands an event to the recovery store, which numbers it and delivers it (see {@link
   * #deliver(RecoveryStore.Event)}). Its own method, so that {@link #deliver(String, Target,
   * Outgoing)} stays as small as without recovery.
   */
  private void append(String route, Target target, Outgoing event) {
    byte[] text = event.toBytes();
    int[] delivered = DELIVERED.get();
    delivered[0] = 0;
    recovery.append(target, text);
    if (observers.enabled) {
      observers.onEventSent(route, delivered[0], text.length);
    }
  }

  /**
   * Writes a frame to every local recipient of a target, then releases it. Recipients on the
   * calling thread's own I/O thread are written at once; the others are gathered per I/O thread and
   * written by one task there, rather than by a task per recipient. Returns the number of
   * recipients.
   */
  private int deliverLocally(Target target, ByteBuf shared, boolean direct) {
    try {
      List<String> ids = target.ids();
      List<String> except = target.except();
      switch (target.kind()) {
        case CLIENTS -> {
          Collection<String> unique = ids.size() > 1 ? new HashSet<>(ids) : ids;
          Fanout out = new Fanout(shared, unique.size(), direct);
          for (String id : unique) {
            ServerConnection c = connections.get(id);
            if (c != null && !except.contains(id)) {
              out.add(c);
            }
          }
          return out.send();
        }
        case ROOMS -> {
          if (ids.size() == 1) {
            Room room = rooms.get(ids.get(0));
            return room == null ? 0 : writeAll(room.members(), except, shared, direct);
          } else {
            Set<ServerConnection> all = new HashSet<>();
            for (String id : ids) {
              Room room = rooms.get(id);
              if (room != null) {
                all.addAll(room.members());
              }
            }
            return writeAll(all, except, shared, direct);
          }
        }
        case EVERYONE -> {
          return writeAll(connections.values(), except, shared, direct);
        }
        default -> throw new AssertionError(target.kind());
      }
    } finally {
      shared.release();
    }
  }

  /** Writes a frame to connections but those excepted; returns how many it was written to. */
  private int writeAll(
      Collection<ServerConnection> to, List<String> except, ByteBuf frame, boolean direct) {
    Fanout out = new Fanout(frame, to.size(), direct);
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
  private final class Fanout {
    private final ByteBuf frame;
    private final int expected;
    private final boolean direct;
    private Batch batches;
    private int added;

    Fanout(ByteBuf frame, int expected, boolean direct) {
      this.frame = frame;
      this.expected = expected;
      this.direct = direct;
    }

    void add(ServerConnection c) {
      added++;
      EventLoop loop = c.eventLoop();
      if (direct && loop.inEventLoop()) {
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

    /** Submits the batches; returns the number of recipients. */
    int send() {
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
