package dev.zocket.examples.chat;

import java.util.List;

/**
 * The chat end to end ({@link ChatEndToEnd}) on {@link ChatServer}: in process (the same protocol
 * without a socket), and on a real port for the per-address limit and the page.
 */
final class ChatServerTest extends ChatEndToEnd {
  @Override
  protected RunningChat startChat() {
    ChatServer chat = ChatServer.startInProcess();
    return new RunningChat(chat.uri(), chat);
  }

  @Override
  protected RunningChat startChatOnPort() {
    ChatServer chat = ChatServer.start("127.0.0.1", 0);
    return new RunningChat(chat.uri(), chat);
  }

  @Override
  protected List<Class<?>> noticeLoggers() {
    return List.of(RoomsHandler.class);
  }
}
