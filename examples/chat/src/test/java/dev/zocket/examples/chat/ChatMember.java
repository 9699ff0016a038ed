package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.zocket.client.ZocketClient;
import dev.zocket.test.EventRecorder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A chat user in a test: a real {@link ZocketClient} whose room events an EventRecorder keeps. */
public final class ChatMember implements AutoCloseable {
  /** The name it connected with, or null. */
  public final String name;

  /** Its client. */
  public final ZocketClient client;

  /** The chat's routes, through its client. */
  public final Rooms rooms;

  private final EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);

  /**
   * Connects.
   *
   * @param name the {@code user-name} header, or null to send none
   */
  public ChatMember(URI url, String name) {
    this.name = name;
    ZocketClient.Builder builder =
        ZocketClient.builder(url).on(RoomEvents.class, events.listener());
    if (name != null) {
      builder.header("user-name", name);
    }
    this.client = builder.connect();
    this.rooms = client.proxy(Rooms.class);
  }

  /** Joins a room and waits for its own join notice. */
  public void joinAndWait(String room) {
    rooms.join(new RoomId(room));
    assertThat(next()).isEqualTo(new Joined(room, name));
  }

  /** Posts a message. */
  public void post(String room, String content) {
    rooms.message(new PostMessage(room, content));
  }

  /** The payload of the next event, waiting for it. */
  public Object next() {
    return events.next();
  }

  /** The next event, which must be a message; returned for its timestamp. */
  public ChatMessage nextMessage(String room, String from, String content) {
    Object event = next();
    assertThat(event).isInstanceOf(ChatMessage.class);
    ChatMessage message = (ChatMessage) event;
    assertThat(message.roomId()).isEqualTo(room);
    assertThat(message.userName()).isEqualTo(from);
    assertThat(message.content()).isEqualTo(content);
    return message;
  }

  /**
   * Takes events up to and including the first that matches, at most {@code limit} of them, and
   * returns all of them.
   */
  public List<Object> until(Predicate<Object> last, int limit) {
    List<Object> seen = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      Object event = next();
      seen.add(event);
      if (last.test(event)) {
        return seen;
      }
    }
    fail(name + ": no matching event among " + seen);
    return seen;
  }

  /**
   * Asserts that no event came that the test did not take: joins a room of its own, whose join
   * notice must then be the next event, since a member gets its events in the order the server sent
   * them.
   *
   * @param room a room no other member is in
   */
  public void assertNoMoreEvents(String room) {
    rooms.join(new RoomId(room));
    assertThat(next())
        .as(name + "'s next event")
        .isInstanceOfSatisfying(Joined.class, j -> assertThat(j.roomId()).isEqualTo(room));
  }

  @Override
  public void close() {
    client.close();
  }
}
