package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open connections of this node by client id, and its rooms by id, each with its members. A
 * room exists while it has members; rooms and memberships count against the {@link RoomMemory}.
 * When rooms are shared with other nodes through a backplane, the directory tells the {@link
 * BackplaneLink} when a room gets its first member and loses its last one, from inside the room's
 * atomic update so that the calls for one room are made in order. The {@link Fanout} reads it to
 * find an event's recipients. Thread-safe; never blocks.
 */
final class Directory {
  /**
   * What a membership costs the heap, in bytes, as the room memory budget counts it: the member's
   * place in its room and in its own list of rooms (measured with {@code RoomMemory}: 52 bytes in a
   * shared room, 58 once the room was fanned out to and keeps its members grouped, see {@link
   * Room.Members}).
   */
  static final int MEMBERSHIP_BYTES = 64;

  /**
   * What a room costs beyond its memberships: its entry, its id's object and its members array,
   * plus a byte per character of its id, two if any is beyond Latin-1 (measured with {@code
   * RoomMemory}: a room of its own with a 64-character id took 226 bytes in all, 268 once fanned
   * out to, one with a 1,000-character id 1,159 before its members were grouped, which adds 42;
   * counted as 288 and 1,224).
   */
  static final int ROOM_BYTES = 160;

  private final ConcurrentHashMap<String, ServerConnection> connections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final RoomMemory memory;

  /** Told of rooms opened and closed on this node; null when no other node needs to know. */
  private final BackplaneLink subscriptions;

  Directory(RoomMemory memory, BackplaneLink subscriptions) {
    this.memory = memory;
    this.subscriptions = subscriptions;
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
   * Adds a member to a room, creating it if need be, and returns the room's id as the directory
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
                if (!memory.reserve(cost)) {
                  joined.remove(c);
                  throw new ZocketException(
                      ErrorCodes.LIMIT_EXCEEDED,
                      "The server's memory for rooms is full; try again later");
                }
                if (existing == null && subscriptions != null) {
                  subscriptions.subscribe(name);
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
            memory.release(MEMBERSHIP_BYTES);
            return members;
          }
          memory.release(MEMBERSHIP_BYTES + roomBytes(name));
          if (subscriptions != null) {
            subscriptions.unsubscribe(name);
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

  /** The open connection of a client id, or null. */
  ServerConnection connection(String clientId) {
    return connections.get(clientId);
  }

  /** A room with members, or null. */
  Room room(String id) {
    return rooms.get(id);
  }

  /** Every open connection, a weakly consistent view. */
  Collection<ServerConnection> connections() {
    return connections.values();
  }

  int connectionCount() {
    return connections.size();
  }

  int roomCount() {
    return rooms.size();
  }

  /** The room memory budget the rooms count against. */
  RoomMemory memory() {
    return memory;
  }
}
