package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RedisServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two chat servers sharing a real Redis: {@code rooms.members} lists the users of both. */
@Timeout(60)
class ChatClusterTest {
  @Test
  void membersListsTheUsersOfEveryNode() throws Exception {
    LeakDetection.install();
    try (RedisServer redis = RedisServer.start();
        ChatServer one = ChatServer.start("127.0.0.1", 0, redis.uri());
        ChatServer two = ChatServer.start("127.0.0.1", 0, redis.uri());
        ChatMember alice = new ChatMember(one.uri(), "Alice");
        ChatMember bob = new ChatMember(two.uri(), "Bob");
        ChatMember carol = new ChatMember(two.uri(), "Carol")) {
      alice.joinAndWait("general");
      bob.joinAndWait("general");
      carol.joinAndWait("lobby");

      assertThat(alice.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
          .containsExactly("Alice", "Bob");
      assertThat(bob.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
          .containsExactly("Alice", "Bob");
      assertThat(carol.rooms.members(new RoomId("lobby")).get(10, TimeUnit.SECONDS))
          .containsExactly("Carol");
    }
    LeakDetection.assertNoLeaks();
  }
}
