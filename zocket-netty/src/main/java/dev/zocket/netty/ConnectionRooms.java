package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.RoomSet;
import dev.zocket.ZocketException;
import dev.zocket.internal.RateLimitedLog;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms of one connection ({@link dev.zocket.Context#rooms()}), mirrored into the server's
 * {@link Directory} while the connection is open: an immutable set replaced on every change (joins
 * and leaves are rare next to {@link #has}, and most connections are in a few rooms). Its own class
 * so that the limits on rooms and the order of joins against the connection's close are read in one
 * place. Any thread: changes are made under this object's lock, reads take none.
 */
final class ConnectionRooms implements RoomSet {
  private static final Logger log = LoggerFactory.getLogger(ConnectionRooms.class);

  /** Rooms a resumed session lost: as many lines as a client can fill the room memory. */
  private static final RateLimitedLog lostRooms = new RateLimitedLog(log);

  private final ServerConnection connection;

  /**
   * The rooms joined, as the directory names them: the name itself while there is one (most
   * connections are in one room, and a set of one takes 24 bytes more), else an immutable set;
   * replaced under this object's lock.
   */
  private volatile Object names = Set.of();

  ConnectionRooms(ServerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void join(String room) {
    join(room, true);
  }

  /**
   * Joins a room; {@code record}: as a change of the rooms for connection-state recovery (see
   * {@link Recovery.Link#joined}), not a resumed session's own room joined again.
   */
  private void join(String room, boolean record) {
    Objects.requireNonNull(room, "room == null");
    int maxLength = limits().maxRoomIdLength();
    if (room.length() > maxLength) {
      // The client's error (the id comes from it, usually): answered to it, not logged as a
      // failure. The id is not quoted: the message may well be logged.
      throw new ZocketException(
          ErrorCodes.LIMIT_EXCEEDED,
          "A room id may have at most " + maxLength + " characters; this one has " + room.length());
    }
    synchronized (this) {
      Set<String> current = current();
      if (current.contains(room)) {
        return;
      }
      int max = limits().maxRoomsPerConnection();
      if (current.size() >= max) {
        throw new ZocketException(
            ErrorCodes.LIMIT_EXCEEDED, "A connection may be in at most " + max + " rooms");
      }
      String name = room;
      Recovery.Link recovery = connection.recovery();
      String mark = record ? recovery.beforeJoin() : null;
      if (!connection.isClosed()) {
        // May refuse (the server's room memory is full); else shares the directory's id.
        name = directory().join(room, connection);
        if (connection.isClosed()) { // closed meanwhile: closed() may have missed this room
          directory().leave(room, connection);
        }
      }
      names = compact(with(current, name));
      if (record) {
        recovery.joined(name, mark);
      }
    }
  }

  @Override
  public void leave(String room) {
    Objects.requireNonNull(room, "room == null");
    synchronized (this) {
      Set<String> current = current();
      if (current.contains(room)) {
        names = compact(without(current, room));
        directory().leave(room, connection);
        connection.recovery().left(room);
      }
    }
  }

  @Override
  public boolean has(String room) {
    Objects.requireNonNull(room, "room == null");
    Object n = names;
    return n instanceof String one ? one.equals(room) : ((Set<?>) n).contains(room);
  }

  @Override
  @SuppressWarnings("unchecked") // names holds a String or a Set<String>, see there
  public Set<String> current() {
    Object n = names;
    return n instanceof String one ? Set.of(one) : (Set<String>) n;
  }

  /**
   * Joins the rooms of a resumed session. A room the server's room memory has no place for any more
   * is not joined, and logged.
   */
  void restore(Set<String> rooms) {
    for (String room : rooms) {
      try {
        join(room, false);
      } catch (ZocketException e) {
        lostRooms.warn(
            "Client {} resumed its session without one of its {} rooms: {}",
            connection.clientId(),
            rooms.size(),
            e.getMessage());
      }
    }
  }

  /** Takes this connection out of the directory; its own list stays for onDisconnect. */
  void leaveAll() {
    synchronized (this) {
      directory().remove(connection, current());
    }
  }

  /** Empties the list, once onDisconnect has run. */
  void forget() {
    names = Set.of();
  }

  private Directory directory() {
    return connection.shared().directory();
  }

  private RoomLimits limits() {
    return connection.shared().roomLimits();
  }

  @Override
  public String toString() {
    return current().toString();
  }

  /** What {@link #names} holds for a set: its only element, or the set. */
  private static Object compact(Set<String> set) {
    return set.size() == 1 ? set.iterator().next() : set;
  }

  private static Set<String> with(Set<String> set, String element) {
    return switch (set.size()) {
      case 0 -> Set.of(element);
      case 1 -> Set.of(set.iterator().next(), element);
      default -> {
        String[] all = set.toArray(new String[set.size() + 1]);
        all[set.size()] = element;
        yield Set.of(all);
      }
    };
  }

  private static Set<String> without(Set<String> set, String element) {
    if (set.size() == 1) {
      return Set.of();
    }
    String[] rest = new String[set.size() - 1];
    int i = 0;
    for (String s : set) {
      if (!s.equals(element)) {
        rest[i++] = s;
      }
    }
    return Set.of(rest);
  }
}
