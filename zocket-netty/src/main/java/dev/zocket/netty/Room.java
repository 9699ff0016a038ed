package dev.zocket.netty;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of one room of the {@link LocalRegistry}, and the room's id, which every member's
 * list of rooms shares. Most rooms are small, so members are kept in an array, copied on every
 * change, until there are more than {@link #SMALL}; then in a concurrent set, and a fan-out reads
 * an array copied from the set when it first needs one after a change (iterating a concurrent set
 * cost a fan-out to 500 a tenth of its user time). Changes are made under the registry's lock for
 * the room; reads (fan-out) take no lock and see every member whose join had returned.
 *
 * <p>Cost, measured with {@code RoomMemory} (64-character ids): about 50 bytes for a membership of
 * a shared room and 200 bytes for a room of its own, id included.
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

  /** Counts the changes of {@link #large}: one more after each, under the room's lock. */
  private volatile int version;

  /** The members of {@link #large} as an array, and the {@link #version} it was copied at. */
  private volatile Snapshot snapshot;

  private record Snapshot(int version, ServerConnection[] members) {}

  Room(String name) {
    this.name = name;
  }

  /** Adds a member; under the registry's lock for this room. Returns whether it was not one. */
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
      return true;
    }
    Set<ServerConnection> set = ConcurrentHashMap.newKeySet(SMALL * 4);
    set.addAll(Arrays.asList(members));
    set.add(c);
    large = set;
    small = null; // after large is set: a reader that sees null finds the set
    return true;
  }

  /** Removes a member; under the registry's lock for this room. Returns whether it was one. */
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
        return true;
      }
    }
    return false;
  }

  /** After a change of {@link #large}: older copies are stale. Returns {@code changed}. */
  private boolean changed(boolean changed) {
    if (changed) {
      version++; // under the room's lock: one writer at a time
    }
    return changed;
  }

  /** Whether the room has no member; under the registry's lock for this room. */
  boolean isEmpty() {
    ServerConnection[] members = small;
    return members != null ? members.length == 0 : large.isEmpty();
  }

  /**
   * The members now, for a fan-out, read without a lock. A copy of a large room's set is made at
   * most once per change: it is taken after reading the version, so it holds every change counted
   * up to that version (and perhaps a later one, which a later read copies again).
   */
  Collection<ServerConnection> members() {
    ServerConnection[] members = small;
    if (members != null) {
      return Arrays.asList(members);
    }
    int v = version;
    Snapshot s = snapshot;
    if (s == null || s.version != v) {
      s = new Snapshot(v, large.toArray(NONE));
      snapshot = s;
    }
    return Arrays.asList(s.members);
  }
}
