package dev.zocket.netty;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members of one room of the {@link Directory}, and the room's id, which every member's list of
 * rooms shares. Most rooms are small, so members are kept in an array, copied on every change,
 * until there are more than {@link #SMALL}; then in a concurrent set. Changes are made under the
 * directory's lock for the room; reads (fan-out) take no lock and see the members of one moment (an
 * array) or a weakly consistent view (a set).
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

  Room(String name) {
    this.name = name;
  }

  /** Adds a member; under the directory's lock for this room. Returns whether it was not one. */
  boolean add(ServerConnection c) {
    ServerConnection[] members = small;
    if (members == null) {
      return large.add(c);
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

  /** Removes a member; under the directory's lock for this room. Returns whether it was one. */
  boolean remove(ServerConnection c) {
    ServerConnection[] members = small;
    if (members == null) {
      return large.remove(c);
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

  /** Whether the room has no member; under the directory's lock for this room. */
  boolean isEmpty() {
    ServerConnection[] members = small;
    return members != null ? members.length == 0 : large.isEmpty();
  }

  /** The members now, for a fan-out: an array or a set, read without a lock. */
  Collection<ServerConnection> members() {
    ServerConnection[] members = small;
    return members != null ? Arrays.asList(members) : large;
  }
}
