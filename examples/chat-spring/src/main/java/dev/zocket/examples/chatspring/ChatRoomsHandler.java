package dev.zocket.examples.chatspring;

import dev.zocket.Context;
import dev.zocket.examples.chat.Rooms;
import dev.zocket.examples.chat.RoomsHandler;
import dev.zocket.examples.chat.User;
import dev.zocket.spring.boot.autoconfigure.ZocketHandler;
import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import jakarta.annotation.PreDestroy;

/**
 * Handles the {@link Rooms} contract for one connection: {@code examples/chat}'s handler as a bean
 * of the connection scope, with the connection's {@link Context} and the starter's {@link
 * ZocketServerLifecycle} (for the server's cluster) injected, so both chats behave alike, message
 * for message.
 *
 * <p>Threading: called for its connection's messages one at a time, in order, on the connection's
 * I/O thread ({@code Rooms} is {@code @NonBlocking}); {@link #disconnected()} on the handler
 * executor, once the connection's messages are handled.
 */
@ZocketHandler
class ChatRoomsHandler extends RoomsHandler {

  ChatRoomsHandler(Context<User> ctx, ZocketServerLifecycle zocket) {
    super(ctx, zocket.server().cluster());
  }

  /** The connection has ended: logs the rooms it was in. */
  @PreDestroy
  @Override
  public void disconnected() {
    super.disconnected();
  }
}
