package dev.zocket.examples.chat;

import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a chat client asks of the server (client to server). Routes: {@code rooms.join}, {@code
 * rooms.leave}, {@code rooms.message} and {@code rooms.members}.
 *
 * <p>{@link NonBlocking}: the handlers only touch in-memory state (the connection's rooms), emit
 * events and ask the cluster, none of which blocks, so they run on the connection's I/O thread
 * without a hand-off to the handler executor.
 */
// region contract
@NonBlocking
@Namespace("rooms")
public interface Rooms {
  /**
   * Joins a room; every member, the joiner included, receives {@link RoomEvents#onJoin}. Fire and
   * forget.
   */
  void join(RoomId room);

  /**
   * Leaves a room; every member, the leaver included, receives {@link RoomEvents#onLeave} before
   * the leaver is removed. Fire and forget.
   */
  void leave(RoomId room);

  /**
   * Posts a message to a room the caller is in; every member, the poster included, receives {@link
   * RoomEvents#onMessage}. A message to a room the caller is not in is dropped. Fire and forget.
   */
  void message(PostMessage message);

  /**
   * A call: the names of the members of a room the caller is in, on every node of a cluster,
   * sorted; at most 1,000 (the first by client id). Fails with the error code {@code NOT_A_MEMBER}
   * when the caller is not in the room. A node that does not answer within 5 s is left out.
   */
  CompletableFuture<List<String>> members(RoomId room);
}
// endregion contract
