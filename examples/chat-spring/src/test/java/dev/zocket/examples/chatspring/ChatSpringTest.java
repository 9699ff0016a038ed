package dev.zocket.examples.chatspring;

import dev.zocket.examples.chat.ChatEndToEnd;
import dev.zocket.examples.chat.RoomsHandler;
import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The chat's own end-to-end tests ({@link ChatEndToEnd}, from {@code examples/chat}'s test jar)
 * against the Spring Boot application, on a random port: a new application for each test, so that
 * no test sees another's rooms.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "zocket.server.port=0")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class ChatSpringTest extends ChatEndToEnd {
  @Autowired private ZocketServerLifecycle zocket;

  @Override
  protected RunningChat startChat() {
    // Stopped as the application's shutdown stops it (clients get 1001); the test framework then
    // closes the application.
    return new RunningChat(zocket.server().uri(), zocket::stop);
  }

  @Override
  protected RunningChat startChatOnPort() {
    // The application listens on a port already; the test's own stop closes it.
    return new RunningChat(zocket.server().uri(), () -> {});
  }

  @Override
  protected List<Class<?>> noticeLoggers() {
    return List.of(RoomsHandler.class);
  }
}
