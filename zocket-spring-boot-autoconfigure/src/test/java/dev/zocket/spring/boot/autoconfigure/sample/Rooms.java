package dev.zocket.spring.boot.autoconfigure.sample;

import dev.zocket.Namespace;

/** Joins rooms and says things in them, through the injected Context. */
@Namespace("rooms")
public interface Rooms {
  /** A room. */
  record Join(String room) {}

  /** A line said in a room. */
  record Say(String room, String text) {}

  /** Joins a room; answers the rooms the connection is in. */
  java.util.List<String> join(Join request);

  /** Sends {@code text} to everyone in the room. */
  void say(Say request);
}
