package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import dev.zocket.test.EventRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handler test the README shows: the real server in process, a real client, no socket. */
@Timeout(30)
class RoomsHandlerTest {
  @Test
  void aMessageReachesTheRoom() {
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    try (ChatServer server = ChatServer.startInProcess();
        ZocketClient alice =
            ZocketClient.builder(server.uri())
                .header("user-name", "Alice")
                .on(RoomEvents.class, events.listener())
                .connect()) {
      Rooms rooms = alice.proxy(Rooms.class);
      rooms.join(new RoomId("general"));
      assertThat(events.next()).isEqualTo(new Joined("general", "Alice"));
      rooms.message(new PostMessage("general", "Hello"));
      assertThat(events.next(ChatMessage.class).content()).isEqualTo("Hello");
    }
  }
}
