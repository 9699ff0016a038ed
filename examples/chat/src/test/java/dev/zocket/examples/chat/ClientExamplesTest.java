package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import dev.zocket.junit.ZocketExtension;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.EventRecorder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java client examples of docs/java-client.md and docs/recovery.md, which include the regions
 * below: each runs against the chat server, in process, and its outcome is checked.
 */
@Timeout(30)
class ClientExamplesTest {
  private static final Logger log = LoggerFactory.getLogger(ClientExamplesTest.class);

  @RegisterExtension final ZocketExtension chat = ZocketExtension.inProcess(ChatServer::builder);

  private final EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);

  /** The rooms the console client has joined, which it joins again after every reconnect. */
  private static List<String> joinedRooms() {
    return List.of("general");
  }

  @Test
  void theConsoleClientsWay(ZocketServer server) throws Exception {
    URI uri = server.uri();
    RoomEvents printer = events.listener();
    // region client
    ZocketClient client =
        ZocketClient.builder(uri)
            .header("user-name", "Alice")
            .on(RoomEvents.class, printer) // implements RoomEvents
            // Runs after every (re)connect: join every room again.
            .onOpen(
                c -> {
                  Rooms r = c.proxy(Rooms.class);
                  for (String each : joinedRooms()) {
                    r.join(new RoomId(each));
                  }
                })
            .connect();
    Rooms rooms = client.proxy(Rooms.class);
    rooms.message(new PostMessage("general", "hello")); // fire and forget
    List<String> names = rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS); // a call
    client.close();
    // endregion client

    assertThat(names).containsExactly("Alice");
    assertThat(events.next()).isEqualTo(new Joined("general", "Alice"));
    assertThat(events.next(ChatMessage.class).content()).isEqualTo("hello");
  }

  /** A token source: the current token, asked before every connect. */
  static final class Tokens {
    final AtomicInteger asked = new AtomicInteger();

    String current() {
      return "token-" + asked.incrementAndGet();
    }
  }

  @Test
  void credentialsThatChange(ZocketServer server) throws Exception {
    URI uri = server.uri();
    Tokens tokens = new Tokens();
    // region credentials
    ZocketClient client =
        ZocketClient.builder(uri)
            .header("access_token", tokens::current) // asked before every connect
            .onStateChange((from, to, cause) -> log.info("{} -> {}", from, to, cause))
            .build(); // NEW: nothing connects yet
    client.connect(); // or connectAsync()
    // endregion credentials

    try (client) {
      assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
      assertThat(tokens.asked).hasValue(1);
    }
  }

  @Test
  void recoveryOnTheServerAndTheClient() throws Exception {
    // region recovery
    ZocketServer server =
        ChatServer.builder()
            .recovery(Duration.ofMinutes(2), 10_000) // keep dropped sessions 2 min, the last 10,000
            .host("127.0.0.1")
            .port(0)
            .start();
    ZocketClient client =
        ZocketClient.builder(server.uri())
            .onOpen(
                c -> {
                  if (!c.recovered()) { // a fresh session: join the rooms again
                    c.proxy(Rooms.class).join(new RoomId("general"));
                  }
                })
            .connect();
    // endregion recovery

    try (server;
        client) {
      assertThat(client.recovered()).isFalse();
      assertThat(client.proxy(Rooms.class).members(new RoomId("general")).get(10, TimeUnit.SECONDS))
          .containsExactly(ChatHeaders.ANONYMOUS);
    }
  }
}
