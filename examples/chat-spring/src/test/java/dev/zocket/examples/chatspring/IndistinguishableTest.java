package dev.zocket.examples.chatspring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.examples.chat.ChatServer;
import dev.zocket.examples.chat.WireScript;
import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import dev.zocket.test.LeakDetection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * On the wire, the Spring Boot application is {@code examples/chat}'s {@link ChatServer}: one
 * script of raw frames and HTTP requests, good and bad ({@link WireScript}: the seed's calls,
 * unknown routes, invalid payloads, broken and oversize JSON and frames, joins, leaves, messages,
 * members, the page), played against each, gets the same answers frame by frame.
 */
@ExtendWith(LeakDetection.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "zocket.server.port=0")
@DirtiesContext
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IndistinguishableTest {
  @Autowired private ZocketServerLifecycle zocket;

  @Test
  void theSpringApplicationAnswersEveryFrameAsTheChatServerDoes() throws Exception {
    List<String> chat;
    try (ChatServer server = ChatServer.start("127.0.0.1", 0)) {
      chat = WireScript.play(server.port());
    }
    List<String> spring = WireScript.play(zocket.server().port());

    assertThat(WireScript.firstDifference(chat, spring)).isEmpty();
    assertThat(chat).hasSizeGreaterThan(100);
  }
}
