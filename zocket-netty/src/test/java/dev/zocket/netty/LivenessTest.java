package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.internal.Protocol;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The liveness extension ({@code x-zocket-liveness=1}): a client that asks is sent {@code __pong}
 * once open, after {@code __session}, and each of its {@code __ping}s is answered with {@code
 * __pong} without reaching the dispatcher; a client that does not ask never sees a {@code __pong},
 * and its {@code __ping} is an unknown route like any other.
 */
@Timeout(60)
class LivenessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String PING = "{\"type\":\"__ping\"}";
  private static final String PONG = "{\"type\":\"__pong\"}";

  /** A call whose answer shows that everything sent before it has been read and answered. */
  private static final String MARKER =
      "{\"type\":\"t.echo\",\"payload\":{\"text\":\"m\",\"n\":1},\"rpcId\":\"marker\"}";

  private final RawFixture fixture = new RawFixture();

  @AfterEach
  void close() throws Exception {
    fixture.close();
  }

  private ZocketServer start(ZocketServer.Builder<?, ?> builder) {
    return fixture.start(builder);
  }

  private RawClient connect(ZocketServer s, String query) throws IOException {
    return fixture.connect(s, query);
  }

  private static String text(RawClient c) throws IOException {
    return c.readSkippingPings().text();
  }

  @Test
  void aClientThatAsksIsAnnouncedTheExtensionAndEachPingIsAnswered() throws Exception {
    ZocketServer s = start(Servers.standard());
    RawClient c = connect(s, "x-zocket-version=0.1.0&x-zocket-liveness=1");

    assertThat(text(c)).isEqualTo(PONG);
    for (int i = 0; i < 3; i++) {
      c.sendText(PING);
      assertThat(text(c)).isEqualTo(PONG);
    }
    c.sendText(MARKER);
    assertThat(text(c)).contains("\"rpcId\":\"marker\"");
    assertThat(s.droppedMessages(DropReason.UNKNOWN_ROUTE)).isZero();
  }

  @Test
  void withRecoveryTheAnnouncementFollowsTheSessionMessage() throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 100));
    RawClient c = connect(s, "x-zocket-liveness=1&x-zocket-recovery=1");

    assertThat(text(c)).startsWith("{\"type\":\"" + Protocol.SESSION_TYPE + "\"");
    assertThat(text(c)).isEqualTo(PONG);
    c.sendText(PING);
    assertThat(text(c)).isEqualTo(PONG);
  }

  @Test
  void aServerWithoutRecoveryStillAnswersTheSessionMessageFirst() throws Exception {
    ZocketServer s = start(Servers.standard());
    RawClient c = connect(s, "x-zocket-recovery=1&x-zocket-liveness=1");

    assertThat(text(c)).startsWith("{\"type\":\"" + Protocol.SESSION_TYPE + "\"");
    assertThat(text(c)).isEqualTo(PONG);
  }

  @Test
  void aClientThatDoesNotAskNeverSeesAPongAndItsPingIsAnUnknownRoute() throws Exception {
    ZocketServer s = start(Servers.standard());
    for (String query :
        List.of("x-zocket-version=1", "x-zocket-liveness=0", "x-zocket-liveness=")) {
      long before = s.droppedMessages(DropReason.UNKNOWN_ROUTE);
      RawClient c = connect(s, query);
      c.sendText(PING);
      c.sendText(MARKER);
      // The marker's answer is the first frame: no announcement, no answer to the ping.
      assertThat(text(c)).as(query).contains("\"rpcId\":\"marker\"");
      assertThat(s.droppedMessages(DropReason.UNKNOWN_ROUTE)).as(query).isEqualTo(before + 1);
    }
  }

  @Test
  void onlyTheExactPingTextIsAPing() throws Exception {
    ZocketServer s = start(Servers.standard());
    RawClient c = connect(s, "x-zocket-liveness=1");
    assertThat(text(c)).isEqualTo(PONG);

    c.sendText("{\"type\": \"__ping\"}");
    c.sendText(MARKER);
    assertThat(text(c)).contains("\"rpcId\":\"marker\"");
    assertThat(s.droppedMessages(DropReason.UNKNOWN_ROUTE)).isEqualTo(1);
  }

  @Test
  void aClientThatClosesWith4002KeepsItsSessionAnd4000EndsIt() throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 100));
    assertThat(resumesAfterClosingWith(s, Liveness.RECONNECTING)).isTrue();
    assertThat(resumesAfterClosingWith(s, 4000)).isFalse();
  }

  /**
   * Joins a room, closes with {@code code}, lets an event go to the room, and resumes: whether the
   * session was recovered (and then the event was replayed).
   */
  private boolean resumesAfterClosingWith(ZocketServer s, int code) throws IOException {
    RawClient c = connect(s, "x-zocket-liveness=1&x-zocket-recovery=1");
    JsonNode session = JSON.readTree(text(c)).path("payload");
    assertThat(text(c)).isEqualTo(PONG);
    c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"}}");
    c.sendText(MARKER);
    assertThat(text(c)).contains("\"rpcId\":\"marker\"");
    c.send(RawClient.CLOSE, true, new byte[] {(byte) (code >> 8), (byte) code});
    assertThat(c.readSkippingPings().opcode()).isEqualTo(RawClient.CLOSE);
    Await.until("the close is seen", Duration.ofSeconds(10), () -> s.connectionCount() == 0);
    s.emit(Events.class).toRoom("r").onText("missed " + code);

    RawClient back =
        connect(
            s,
            "x-zocket-liveness=1&x-zocket-recovery=1&x-zocket-session="
                + URLEncoder.encode(session.path("session").asString(""), StandardCharsets.UTF_8)
                + "&x-zocket-pos="
                + URLEncoder.encode(session.path("pos").asString(""), StandardCharsets.UTF_8));
    JsonNode resumed = JSON.readTree(text(back)).path("payload");
    boolean recovered = resumed.path("recovered").asBoolean();
    if (recovered) {
      assertThat(JSON.readTree(text(back)).path("payload").asString(""))
          .isEqualTo("missed " + code);
    }
    assertThat(text(back)).isEqualTo(PONG);
    back.close();
    Await.until("the second close is seen", Duration.ofSeconds(10), () -> s.connectionCount() == 0);
    return recovered;
  }
}
