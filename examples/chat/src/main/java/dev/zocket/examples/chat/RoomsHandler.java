package dev.zocket.examples.chat;

import dev.zocket.Context;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.netty.Cluster;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the {@link Rooms} contract for one connection. The server creates one per connection and
 * calls it for that connection's messages one at a time, in order, on the connection's I/O thread
 * ({@code Rooms} is {@code @NonBlocking}). {@code examples/chat-spring} makes it a Spring bean by
 * extending it.
 */
public class RoomsHandler implements Rooms {
  /** The error code of {@code rooms.members} for a room the caller is not in. */
  public static final String NOT_A_MEMBER = "NOT_A_MEMBER";

  private static final Logger log = LoggerFactory.getLogger(RoomsHandler.class);

  private final Context<User> ctx;
  private final Cluster cluster;

  /**
   * A handler for one connection.
   *
   * @param ctx the connection
   * @param cluster the server's cluster, which lists a room's members on every node
   */
  public RoomsHandler(Context<User> ctx, Cluster cluster) {
    this.ctx = ctx;
    this.cluster = cluster;
  }

  /**
   * The connection has ended: logs the rooms it was in. Threading: called once, on the handler
   * executor, after the connection's last message was handled.
   */
  public void disconnected() {
    disconnected(ctx);
  }

  /** {@link #disconnected()} for a connection whose handler is not at hand. */
  static void disconnected(Context<User> ctx) {
    Set<String> rooms = ctx.rooms().current();
    log.info(
        "{} ({}) disconnected from rooms: {}",
        LogSafe.text(ctx.user().name()),
        ctx.clientId(),
        rooms.isEmpty() ? "none" : roomList(rooms));
  }

  /** The rooms, each made safe for a log line, the list cut after ten. */
  private static String roomList(Set<String> rooms) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (String room : rooms) {
      if (shown == 10) {
        return sb.append(" and ").append(rooms.size() - shown).append(" more").toString();
      }
      sb.append(shown++ == 0 ? "" : ", ").append(LogSafe.text(room));
    }
    return sb.toString();
  }

  // region handlers
  @Override
  public void join(RoomId request) {
    String room = request.roomId();
    String name = ctx.user().name();
    ctx.rooms().join(room);
    // Sent after joining, so the joiner hears its own notice too.
    ctx.emit(RoomEvents.class).toRoom(room).onJoin(new Joined(room, name));
  }

  @Override
  public void leave(RoomId request) {
    String room = request.roomId();
    String name = ctx.user().name();
    if (!ctx.rooms().has(room)) {
      log.debug(
          "{} ({}) left {} without being in it",
          LogSafe.text(name),
          ctx.clientId(),
          LogSafe.text(room));
      return;
    }
    // Sent before leaving, so the leaver hears its own notice too.
    ctx.emit(RoomEvents.class).toRoom(room).onLeave(new Left(room, name));
    ctx.rooms().leave(room);
  }

  @Override
  public void message(PostMessage message) {
    String room = message.roomId();
    String name = ctx.user().name();
    if (!ctx.rooms().has(room)) {
      // At debug: a client can send this as often as it likes, and one line per message at info
      // would let it flood the log.
      log.debug(
          "{} ({}) tried to send a message to {} without joining",
          LogSafe.text(name),
          ctx.clientId(),
          LogSafe.text(room));
      return;
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ctx.emit(RoomEvents.class)
        .toRoom(room)
        .onMessage(new ChatMessage(room, name, message.content(), now));
  }

  @Override
  public CompletableFuture<List<String>> members(RoomId request) {
    String room = request.roomId();
    if (!ctx.rooms().has(room)) {
      throw new ZocketException(NOT_A_MEMBER, "You are not in room " + room);
    }
    // Every node's members, with the name each node's presence function gives (ChatServer).
    return cluster
        .members(room)
        .thenApply(
            page ->
                page.members().stream()
                    .map(m -> m.presence(String.class))
                    .sorted(String.CASE_INSENSITIVE_ORDER)
                    .toList())
        .toCompletableFuture();
  }
  // endregion handlers
}
