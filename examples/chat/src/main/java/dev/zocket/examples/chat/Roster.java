package dev.zocket.examples.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The display names of each room's members, for {@code rooms.members}. The server's room registry
 * knows which connections are in a room; this knows what they are called.
 *
 * <p>Public for {@code examples/chat-spring}, where it is a singleton bean.
 *
 * <p>Thread-safe: handlers of different connections update it concurrently.
 */
public final class Roster {
  private final Map<String, Map<String, String>> rooms = new ConcurrentHashMap<>();

  /** An empty roster. */
  public Roster() {}

  /** Records that a connection is in a room under a name. */
  public void add(String room, String clientId, String name) {
    // compute() holds the room's entry while it changes, so a concurrent remove() cannot drop the
    // room's map between its lookup and this put.
    rooms.compute(
        room,
        (r, members) -> {
          Map<String, String> m = members != null ? members : new ConcurrentHashMap<>();
          m.put(clientId, name);
          return m;
        });
  }

  /** Records that a connection left a room; a room without members is forgotten. */
  public void remove(String room, String clientId) {
    rooms.computeIfPresent(
        room,
        (r, members) -> {
          members.remove(clientId);
          return members.isEmpty() ? null : members;
        });
  }

  /** The names of a room's members, sorted; empty for an unknown room. */
  public List<String> names(String room) {
    Map<String, String> members = rooms.get(room);
    List<String> names = members == null ? new ArrayList<>() : new ArrayList<>(members.values());
    names.sort(String.CASE_INSENSITIVE_ORDER);
    return names;
  }
}
