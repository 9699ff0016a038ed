package dev.zocket.examples.chat;

import dev.zocket.Namespace;

/**
 * What the server tells chat clients (server to client). Routes: {@code rooms.onJoin}, {@code
 * rooms.onLeave} and {@code rooms.onMessage}.
 */
// region contract
@Namespace("rooms")
public interface RoomEvents {
  /** Someone joined a room the receiver is in (or the receiver itself joined). */
  void onJoin(Joined event);

  /** Someone left a room the receiver is in (or the receiver itself left). */
  void onLeave(Left event);

  /** A message was posted to a room the receiver is in. */
  void onMessage(ChatMessage message);
}
// endregion contract
