package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link WireScript} that tells two chat servers apart: played against two {@link ChatServer}s,
 * it gives the same transcript (so what it compares is deterministic), and that transcript holds
 * the answers the script is there to compare.
 */
@ExtendWith(LeakDetection.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class WireScriptTest {
  @Test
  void twoChatServersAreIndistinguishable() throws Exception {
    List<String> first;
    try (ChatServer chat = ChatServer.start("127.0.0.1", 0)) {
      first = WireScript.play(chat.port());
    }
    List<String> second;
    try (ChatServer chat = ChatServer.start("127.0.0.1", 0)) {
      second = WireScript.play(chat.port());
    }
    assertThat(WireScript.firstDifference(first, second)).isEmpty();

    String all = String.join("\n", first);
    assertThat(all)
        .contains("http GET / -> 200 ")
        .contains(
            "bob< text {\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Bob\"}}")
        .contains(
            "alice< text {\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"general\","
                + "\"userName\":\"Alice\",\"content\":\"hi\",\"timestamp\":\"(a timestamp)\"}}")
        .contains("\"code\":\"NOT_A_MEMBER\"")
        .contains("\"code\":\"INVALID_PAYLOAD\"")
        .contains("alone< close 1009")
        .contains("alice< text {\"type\":\"rooms.onLeave\"");
  }
}
