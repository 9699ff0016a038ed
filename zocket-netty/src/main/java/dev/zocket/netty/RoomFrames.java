package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * The events for one room's members on one I/O thread, held back during its pass and written
 * together: joined into one buffer (from the second event on; a single one is written as it is), of
 * which every member is written the same bytes once, instead of every event to every member. A
 * member then costs one write per pass rather than one per event, and its socket gets the pass's
 * events as one contiguous send, the way uWebSockets drains a topic's messages.
 *
 * <p>Nothing overtakes anything: the events held are written before any other write on the thread
 * (every {@link FrameWriter} write and close asks first, see {@link #writePending}), before events
 * for other members, and when the pass ends ({@link Flusher}). The members are those of the moment
 * each event was handed over (a {@link Room.Members}: a change to the room makes a new one, and
 * events for the new one start a new group).
 *
 * <p>A member that cannot take the joined buffer as it is (it is behind, closed, or has an
 * extension that must see every frame) gets the events one by one, as any fan-out writes them
 * ({@link FrameWriter#eventsJoined}). At most {@link #MAX_BYTES} are joined; an event that does not
 * fit starts a new group, and one larger than that is written to every member at once. One per I/O
 * thread, used on it only.
 */
final class RoomFrames {
  /** The most bytes joined: the plaintext of one TLS record. */
  static final int MAX_BYTES = SocketWrites.RECORD_BYTES;

  /** The most events joined, as many as one gathering write takes. */
  private static final int MAX_EVENTS = 1024;

  private static final FastThreadLocal<RoomFrames> HELD =
      new FastThreadLocal<>() {
        @Override
        protected RoomFrames initialValue() {
          return new RoomFrames();
        }
      };

  /** The members the held events are for, or null when none are held. */
  private ServerConnection[] to;

  /** The held events, joined once there are two, else null. */
  private ByteBuf joined;

  /** The held events themselves, each with a reference of this object's, for the members above. */
  private ByteBuf[] events = new ByteBuf[16];

  private int count;

  /** An empty array for the next events while the held ones are written; null during a write. */
  private ByteBuf[] spare = new ByteBuf[16];

  private RoomFrames() {}

  /**
   * On {@code loop}'s I/O thread: holds an event for {@code to}, the room's members of this thread,
   * until the pass ends or something else is written; the caller keeps its reference to the frame.
   */
  static void add(ServerConnection[] to, ByteBuf frame, EventLoop loop) {
    HELD.get().hold(to, frame, loop);
  }

  /** On an I/O thread: whether it holds events. */
  static boolean holding() {
    return HELD.get().to != null;
  }

  /** On an I/O thread: writes the events it holds, if any, before anything else is written. */
  static void writePending() {
    RoomFrames held = HELD.get();
    if (held.to != null) {
      held.write();
    }
  }

  private void hold(ServerConnection[] members, ByteBuf frame, EventLoop loop) {
    int n = frame.readableBytes();
    if (to != null && (to != members || heldBytes() + n > MAX_BYTES || count == MAX_EVENTS)) {
      write();
    }
    if (n > MAX_BYTES) {
      writeEach(members, frame);
      return;
    }
    boolean first = to == null;
    if (first) {
      to = members;
    } else if (joined == null) { // a second event: join them from now on
      ByteBuf only = events[0];
      joined = ByteBufAllocator.DEFAULT.directBuffer(Math.max(heldBytes() + n, 1024), MAX_BYTES);
      joined.writeBytes(only, only.readerIndex(), only.readableBytes());
    }
    if (joined != null) {
      joined.writeBytes(frame, frame.readerIndex(), n);
    }
    if (count == events.length) {
      events = Arrays.copyOf(events, count * 2);
    }
    events[count++] = frame.retain();
    if (first) {
      Flusher.atPassEnd(loop); // last: a stopping thread runs it at once
    }
  }

  /** The bytes of the held events, while some are held. */
  private int heldBytes() {
    return joined != null ? joined.writerIndex() : events[0].readableBytes();
  }

  /** Writes a frame to every member at once, each taking a reference of its own. */
  private static void writeEach(ServerConnection[] members, ByteBuf frame) {
    frame.retain(members.length);
    int i = 0;
    try {
      for (; i < members.length; i++) {
        members[i].writeOwned(frame);
      }
    } finally {
      if (i < members.length - 1) {
        frame.release(members.length - i - 1); // a write threw: the rest did not take theirs
      }
    }
  }

  /**
   * Writes the held events to their members and lets go of them: joined, or a single event as it is
   * (nothing was joined for it).
   */
  private void write() {
    ServerConnection[] members = to;
    ByteBuf buffer = joined;
    ByteBuf[] held = events;
    int n = count;
    // Let go first: a write may close a connection, whose handlers may send events again.
    to = null;
    joined = null;
    events = spare != null ? spare : new ByteBuf[16];
    spare = null;
    count = 0;
    try {
      if (buffer == null) {
        writeEach(members, held[0]);
      } else {
        writeJoined(members, buffer, held, n);
      }
    } finally {
      for (int i = 0; i < n; i++) {
        held[i].release();
        held[i] = null;
      }
      spare = held;
    }
  }

  /** Writes joined events to every member, then gives back this object's reference to them. */
  private static void writeJoined(
      ServerConnection[] members, ByteBuf buffer, ByteBuf[] held, int n) {
    buffer.retain(members.length);
    int left = members.length; // references not taken by a member
    try {
      for (ServerConnection c : members) {
        boolean took = true; // a write that throws keeps its own, as in Fanout
        try {
          took = c.writeJoined(buffer, held, n);
        } finally {
          if (took) {
            left--;
          }
        }
      }
    } finally {
      buffer.release(left + 1);
    }
  }
}
