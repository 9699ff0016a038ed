package dev.zocket.netty;

import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A session's rooms over time, so that a resumed session is replayed exactly the events it would
 * have received had it stayed connected: those for its client id, those for the rooms it was in
 * when each was delivered, and broadcasts, never one from before the session began.
 *
 * <p>It keeps the rooms at a <em>horizon</em> (at first, the position the session began at) and
 * each join and leave since, with the position after which it took effect. A join is placed after
 * the last event whose recipients were all looked up before it ({@link
 * SessionRecovery#lastDelivered}), a leave after the last one whose look-up began before it ({@link
 * SessionRecovery#lastStarted}): an event delivered while a room was being joined or left counts as
 * that room's, so a replay may repeat such an event, never lose one. Changes of one room are kept
 * in the order of their positions. A replay must start at or after the horizon; a client asking for
 * one from before it starts a fresh session.
 *
 * <p>Memory: at most {@link #MAX_CHANGES} changes, each {@link #CHANGE_BYTES} of the room memory
 * budget; when either is spent, the oldest change moves into the rooms at the horizon, and the
 * horizon up to its position.
 *
 * <p>Threading: any thread; guarded by this object's lock.
 */
final class SessionRooms {
  /** How many joins and leaves are kept. */
  static final int MAX_CHANGES = 256;

  /** What a kept change counts against the room memory budget: its entry and its position. */
  static final int CHANGE_BYTES = 128;

  /** A join or a leave, effective for the events after position {@code after}. */
  record Change(String after, String room, boolean joined) {}

  private final RecoveryStore store;
  private final RoomMemory memory;
  private String horizon;
  private final Set<String> atHorizon;
  private final ArrayDeque<Change> changes = new ArrayDeque<>();

  /**
   * @param store the order of positions
   * @param memory the room memory budget
   * @param horizon the first position a replay may start at
   * @param rooms the rooms at that position
   * @param changes the changes since, oldest first (from a session record)
   */
  SessionRooms(
      RecoveryStore store,
      RoomMemory memory,
      String horizon,
      Set<String> rooms,
      List<Change> changes) {
    this.store = store;
    this.memory = memory;
    this.horizon = horizon;
    this.atHorizon = new HashSet<>(rooms);
    for (Change c : changes) {
      add(c);
    }
  }

  /**
   * Records that {@code room} was joined; {@code after} is what {@link
   * SessionRecovery#lastDelivered} returned before the directory's rooms changed.
   */
  synchronized void joined(String room, String after) {
    add(new Change(after, room, true));
  }

  /**
   * Records that {@code room} was left; {@code after} is what {@link SessionRecovery#lastStarted}
   * returned once the directory's rooms changed.
   */
  synchronized void left(String room, String after) {
    add(new Change(after, room, false));
  }

  private void add(Change c) {
    String after = later(c.after(), horizon);
    for (Iterator<Change> it = changes.descendingIterator(); it.hasNext(); ) {
      Change previous = it.next();
      if (previous.room().equals(c.room())) {
        after = later(after, previous.after()); // one room's changes stay in order
        break;
      }
    }
    Change change = new Change(after, c.room(), c.joined());
    while (changes.size() >= MAX_CHANGES) {
      forgetOldest();
    }
    while (!memory.reserve(CHANGE_BYTES)) {
      if (changes.isEmpty()) { // the budget is spent elsewhere: the horizon moves past this change
        apply(atHorizon, change);
        horizon = after;
        return;
      }
      forgetOldest();
    }
    changes.addLast(change);
  }

  private void forgetOldest() {
    Change oldest = changes.removeFirst();
    memory.release(CHANGE_BYTES);
    apply(atHorizon, oldest);
    horizon = later(horizon, oldest.after());
  }

  /** Gives back the budget of every change kept, when the session ends or travels to a record. */
  synchronized void release() {
    memory.release((long) changes.size() * CHANGE_BYTES);
    changes.clear();
  }

  /** The first position a replay may start at. */
  synchronized String horizon() {
    return horizon;
  }

  /** The rooms at the horizon, and the changes since, oldest first: for a session record. */
  synchronized Set<String> atHorizon() {
    return Set.copyOf(atHorizon);
  }

  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  /**
   * The events of {@code missed} that this session receives, in their order.
   *
   * @param from the position the client resumes from: {@code missed} are the events after it
   * @param missed the events after {@code from}, oldest first
   * @param clientId the session's client id
   * @return the events to replay, or null if {@code from} comes before the horizon
   * @throws IllegalArgumentException if {@code from} is not a position of the store
   */
  synchronized List<RecoveryStore.Event> replay(
      String from, List<RecoveryStore.Event> missed, String clientId) {
    if (store.compare(from, horizon) < 0) {
      return null;
    }
    List<Change> ordered = new ArrayList<>(changes);
    ordered.sort(Comparator.comparing(Change::after, store::compare)); // stable: a room's order
    Set<String> rooms = new HashSet<>(atHorizon);
    List<RecoveryStore.Event> replay = new ArrayList<>();
    int next = 0;
    for (RecoveryStore.Event e : missed) {
      while (next < ordered.size() && store.compare(ordered.get(next).after(), e.position()) < 0) {
        apply(rooms, ordered.get(next++));
      }
      if (receives(e.target(), rooms, clientId)) {
        replay.add(e);
      }
    }
    return replay;
  }

  private static boolean receives(Target target, Set<String> rooms, String clientId) {
    if (target.except().contains(clientId)) {
      return false;
    }
    return switch (target.kind()) {
      case CLIENTS -> target.ids().contains(clientId);
      case ROOMS -> target.ids().stream().anyMatch(rooms::contains);
      case EVERYONE -> true;
    };
  }

  private static void apply(Set<String> rooms, Change c) {
    if (c.joined()) {
      rooms.add(c.room());
    } else {
      rooms.remove(c.room());
    }
  }

  /** The later of two positions; a null one (no event delivered yet) comes first. */
  private String later(String a, String b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return store.compare(a, b) >= 0 ? a : b;
  }
}
