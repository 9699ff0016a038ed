package dev.zocket.netty;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of one room of the {@link Directory}, and the room's id, which every member's list of
 * rooms shares. Most rooms are small, so members are kept in an array, copied on every change,
 * until there are more than {@link #SMALL}; then in a concurrent set. Changes are made under the
 * directory's lock for the room; reads (fan-out) take no lock and see the members of one moment (an
 * array) or a weakly consistent view (a set).
 *
 * <p>A fan-out reads the members as a {@link Members} of one moment, grouped by I/O thread, made by
 * the first fan-out after a change and kept until the next change.
 *
 * <p>Cost, measured with {@code RoomMemory} (64-character ids): about 50 bytes for a membership of
 * a shared room and 200 bytes for a room of its own, id included; a room that was fanned out to
 * keeps its {@link Members} as well (see {@link Directory#MEMBERSHIP_BYTES}).
 */
final class Room {
  /** The most members kept in an array. */
  static final int SMALL = 16;

  private static final ServerConnection[] NONE = {};

  /** The room's id: the one instance the members' lists hold. */
  final String name;

  /** The members while the room is small; null once it is large. */
  private volatile ServerConnection[] small = NONE;

  /** The members once the room is large. */
  private volatile Set<ServerConnection> large;

  /** Counts the changes; raised after each, so a reader that sees a count sees its change. */
  private volatile int changes;

  /**
   * The members as the last fan-out found them, or null; stale when its count is not {@link
   * #changes}.
   */
  private volatile Members members;

  Room(String name) {
    this.name = name;
  }

  /** Adds a member; under the directory's lock for this room. Returns whether it was not one. */
  boolean add(ServerConnection c) {
    ServerConnection[] members = small;
    if (members == null) {
      return changed(large.add(c));
    }
    for (ServerConnection m : members) {
      if (m == c) {
        return false;
      }
    }
    if (members.length < SMALL) {
      ServerConnection[] more = Arrays.copyOf(members, members.length + 1);
      more[members.length] = c;
      small = more;
      return changed(true);
    }
    Set<ServerConnection> set = ConcurrentHashMap.newKeySet(SMALL * 4);
    set.addAll(Arrays.asList(members));
    set.add(c);
    large = set;
    small = null; // after large is set: a reader that sees null finds the set
    return changed(true);
  }

  /** Removes a member; under the directory's lock for this room. Returns whether it was one. */
  boolean remove(ServerConnection c) {
    ServerConnection[] members = small;
    if (members == null) {
      return changed(large.remove(c));
    }
    for (int i = 0; i < members.length; i++) {
      if (members[i] == c) {
        ServerConnection[] fewer = new ServerConnection[members.length - 1];
        System.arraycopy(members, 0, fewer, 0, i);
        System.arraycopy(members, i + 1, fewer, i, members.length - i - 1);
        small = fewer;
        return changed(true);
      }
    }
    return false;
  }

  /** Whether the room has no member; under the directory's lock for this room. */
  boolean isEmpty() {
    ServerConnection[] members = small;
    return members != null ? members.length == 0 : large.isEmpty();
  }

  /** Counts a change that was made; under the directory's lock for this room. */
  private boolean changed(boolean made) {
    if (made) {
      changes++; // after the change itself: see byLoop()
      members = null;
    }
    return made;
  }

  /**
   * The members now, grouped by I/O thread, for a fan-out without exceptions: the same object for
   * every fan-out until the room changes, read without a lock (two threads that find none may both
   * make one).
   */
  Members byLoop() {
    int count = changes;
    Members m = members;
    if (m != null && m.changes == count) {
      return m;
    }
    ServerConnection[] array = small;
    m = Members.of(count, array != null ? Arrays.asList(array) : large, array);
    members = m;
    if (changes != count) {
      members = null; // changed meanwhile: kept by no one, so it holds no member that left
    }
    return m;
  }

  /** The members now, for a fan-out: an array or a set, read without a lock. */
  Collection<ServerConnection> members() {
    ServerConnection[] members = small;
    return members != null ? Arrays.asList(members) : large;
  }

  /**
   * A room's members at one moment, grouped by their I/O threads: all of {@link #loop}'s in {@link
   * #onLoop} when they share one (a small room's own array then, not a copy), else {@code
   * members[i]} of {@code loops[i]}. Never changed once made; its arrays are the identity {@link
   * RoomFrames} knows a room's held events by.
   */
  static final class Members {
    final int changes;
    final int size;

    /** The I/O thread of every member, and the members; or null when they are on several. */
    final EventLoop loop;

    final ServerConnection[] onLoop;

    /** When the members are on several I/O threads: each one's members; else null. */
    final EventLoop[] loops;

    final ServerConnection[][] members;

    private Members(
        int changes,
        int size,
        EventLoop loop,
        ServerConnection[] onLoop,
        EventLoop[] loops,
        ServerConnection[][] members) {
      this.changes = changes;
      this.size = size;
      this.loop = loop;
      this.onLoop = onLoop;
      this.loops = loops;
      this.members = members;
    }

    /** Groups {@code all}; {@code array}, if not null, holds them too and is never changed. */
    static Members of(int changes, Collection<ServerConnection> all, ServerConnection[] array) {
      List<EventLoop> loops = new ArrayList<>(2);
      List<List<ServerConnection>> groups = new ArrayList<>(2);
      int size = 0;
      for (ServerConnection c : all) {
        EventLoop loop = c.eventLoop();
        int i = loops.indexOf(loop);
        if (i < 0) {
          i = loops.size();
          loops.add(loop);
          groups.add(new ArrayList<>(all.size()));
        }
        groups.get(i).add(c);
        size++;
      }
      if (loops.size() <= 1) {
        ServerConnection[] only =
            array != null && array.length == size
                ? array
                : loops.isEmpty() ? NONE : groups.get(0).toArray(NONE);
        return new Members(changes, size, loops.isEmpty() ? null : loops.get(0), only, null, null);
      }
      ServerConnection[][] members = new ServerConnection[groups.size()][];
      for (int i = 0; i < members.length; i++) {
        members[i] = groups.get(i).toArray(NONE);
      }
      return new Members(changes, size, null, null, loops.toArray(new EventLoop[0]), members);
    }
  }
}
