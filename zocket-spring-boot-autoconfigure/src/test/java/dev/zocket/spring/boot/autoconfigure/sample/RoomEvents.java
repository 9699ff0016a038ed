package dev.zocket.spring.boot.autoconfigure.sample;

import dev.zocket.Namespace;

/** Events of the rooms. */
@Namespace("rooms")
public interface RoomEvents {
  /** A line said in a room, with who said it. */
  record Said(String room, String text, String from) {}

  void onSaid(Said said);
}
