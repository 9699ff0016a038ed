package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.junit.Client;
import dev.zocket.junit.ZocketExtension;
import dev.zocket.test.EventRecorder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The handler test docs/testing.md shows: the real server in process, real clients, no socket. */
@Timeout(30)
class RoomsHandlerTest {
  // An instance field: each test gets its own server (a static field: one for the class).
  @RegisterExtension final ZocketExtension chat = ZocketExtension.inProcess(ChatServer::builder);

  @Test
  void aMessageReachesTheRoom() {
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    Rooms rooms =
        chat.connect(c -> c.header("user-name", "Alice").on(RoomEvents.class, events.listener()))
            .proxy(Rooms.class);
    rooms.join(new RoomId("general"));
    assertThat(events.next()).isEqualTo(new Joined("general", "Alice"));
    rooms.message(new PostMessage("general", "Hello"));
    assertThat(events.next(ChatMessage.class).content()).isEqualTo("Hello");
  }

  @Test
  void membersAreTheRoomsUsers(
      @Client(headers = "user-name: Alice") Rooms alice,
      @Client(headers = "user-name: Bob") Rooms bob)
      throws Exception {
    // A client's messages are handled in order: its join before its call.
    alice.join(new RoomId("general"));
    assertThat(alice.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .containsExactly("Alice");
    bob.join(new RoomId("general"));
    assertThat(bob.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .containsExactly("Alice", "Bob");
  }
}
