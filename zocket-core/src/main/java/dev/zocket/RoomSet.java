package dev.zocket;

import java.util.Set;

/**
 * The rooms of one connection. A room exists while it has members: it is created by the first
 * {@link #join} and removed with its last member. Everything is released when the connection
 * closes.
 *
 * <p>Threading: thread-safe; a join or leave is visible to senders as soon as it returns.
 */
public interface RoomSet {
  /**
   * Adds the connection to a room; joining a room twice is the same as once.
   *
   * @param room the room id: any string, the empty one included; not null
   * @throws ZocketException with code {@link ErrorCodes#LIMIT_EXCEEDED} if the id is longer than
   *     the server allows, or the connection is already in as many rooms as the server allows (or
   *     the server's memory for rooms is full); thrown from a call's handler, it answers the call
   *     with that error
   */
  void join(String room);

  /**
   * Removes the connection from a room; leaving a room it is not in does nothing.
   *
   * @param room the room id; not null
   */
  void leave(String room);

  /**
   * Whether the connection is in the room.
   *
   * @param room the room id; not null
   * @return true if the connection is a member now
   */
  boolean has(String room);

  /**
   * The rooms the connection is in.
   *
   * @return an immutable snapshot
   */
  Set<String> current();
}
