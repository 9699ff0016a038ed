package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server-wide memory budgets: rooms and memberships, messages waiting for their handlers, and
 * the backlogs of clients that are behind. Past a budget the server refuses a join with an error,
 * stops reading, or closes the slow consumer; it never runs out of memory.
 */
@Timeout(60)
class MemoryBudgetTest {
  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aJoinPastTheRoomMemoryIsRefusedWithAnErrorTheCallerSees() {
    // Each room of its own with an 8-character id counts 64 + 160 + 8 = 232 bytes: four fit.
    try (ZocketServer s = Servers.standard().maxRoomMemory(1000).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      for (int i = 0; i < 4; i++) {
        c.call("t.join", "{\"roomId\":\"room-00" + i + "\"}");
        assertThat(c.next()).doesNotContain("error");
      }
      String id = c.call("t.join", "{\"roomId\":\"room-004\"}");
      assertThat(c.next())
          .contains("\"rpcId\":\"" + id + "\",\"error\":{\"code\":\"" + ErrorCodes.LIMIT_EXCEEDED)
          .contains("The server's memory for rooms is full");
      // A member of a room that exists costs only its membership; leaving frees memory.
      c.call("t.leave", "{\"roomId\":\"room-000\"}");
      assertThat(c.next()).doesNotContain("error");
      c.call("t.join", "{\"roomId\":\"room-004\"}");
      assertThat(c.next()).doesNotContain("error");
      c.call("t.rooms", null);
      assertThat(c.next())
          .contains("\"payload\":[\"room-001\",\"room-002\",\"room-003\",\"room-004\"]");
    }
  }

  @Test
  void pastTheInboundMemoryConnectionsAreSlowedDownAndLoseNothing() throws Exception {
    String text = "x".repeat(2000);
    try (ZocketServer s = Servers.standard().maxInboundMemory(8 * 1024).start();
        JdkClient a = JdkClient.connect(s.port(), "?user-name=A");
        JdkClient b = JdkClient.connect(s.port(), "?user-name=B")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        for (JdkClient c : List.of(a, b)) {
          ids.add(c.call("t.echo", "{\"text\":\"" + text + "\",\"n\":" + i + "}"));
        }
      }
      for (int i = 0; i < 200; i++) {
        assertThat(a.next()).contains("\"n\":" + i + "}");
        assertThat(b.next()).contains("\"n\":" + i + "}");
      }
      assertThat(s.droppedMessages()).isZero();
      assertThat(ids).hasSize(400);
    }
  }

  @Test
  void pastTheBacklogMemoryTheConnectionThatAddsToItIsClosedWith1013() throws Exception {
    try (ZocketServer s =
            Servers.standard()
                .slowConsumerLimits(64 << 20, Duration.ofMinutes(1))
                .maxBacklogMemory(2 << 20)
                .start();
        RawClient one = RawClient.connect(s.port(), "/?user-name=one", 4096);
        RawClient two = RawClient.connect(s.port(), "/?user-name=two", 4096)) {
      for (RawClient c : List.of(one, two)) {
        c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
        assertThat(c.readSkippingPings().text()).contains("\"rpcId\":\"j\"");
      }
      // Neither reads: together their backlogs pass 2 MiB long before either one's 64 MiB.
      Events room = s.emit(Events.class).toRoom("r");
      String pad = "p".repeat(1000);
      for (int i = 0; i < 20_000 && s.slowConsumersClosed() == 0; i++) {
        room.onText(i + "|" + pad);
      }
      assertThat(s.slowConsumersClosed()).isEqualTo(1);
      assertThat(s.droppedMessages()).isZero();
    }
  }
}
