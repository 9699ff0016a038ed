package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Protocol;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RawClient;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Connection-state recovery against clients that lie or steal: a resumed session is replayed
 * exactly what it would have received had it stayed connected (its rooms at the time of each event,
 * itself, broadcasts), never events from before it began; only the principal that began a session
 * resumes it; a takeover closes the older connection with a code its client does not fight; and
 * parked sessions count against the room memory budget.
 */
@Timeout(60)
class RecoverySecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RawFixture fixture = new RawFixture();

  /** Event texts read while waiting for something else, by client, to be read first later. */
  private final Map<RawClient, Deque<String>> unread = new HashMap<>();

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

  /** The {@code __session} payload, the first message of a connection that asked to recover. */
  private static JsonNode session(RawClient c) throws IOException {
    JsonNode m = JSON.readTree(c.readSkippingPings().text());
    assertThat(m.path("type").asString("")).isEqualTo(Protocol.SESSION_TYPE);
    return m.path("payload");
  }

  /**
   * Calls {@code t.whoami}: every message sent before it has been handled once it is answered.
   * Events read meanwhile are kept for {@link #textsUntil}.
   */
  private String clientId(RawClient c) throws IOException {
    c.sendText("{\"type\":\"t.whoami\",\"rpcId\":\"who\"}");
    for (int i = 0; i < 1_000; i++) {
      JsonNode m = JSON.readTree(c.readSkippingPings().text());
      if ("who".equals(m.path("rpcId").asString(""))) {
        return m.path("payload").path("clientId").asString("");
      }
      if ("ev.onText".equals(m.path("type").asString(""))) {
        unread.computeIfAbsent(c, k -> new ArrayDeque<>()).add(m.path("payload").asString(""));
      }
    }
    throw new AssertionError("no answer to whoami in 1,000 messages");
  }

  /** The texts of the {@code ev.onText} events read up to and including {@code marker}. */
  private List<String> textsUntil(RawClient c, String marker) throws IOException {
    List<String> texts = new ArrayList<>();
    Deque<String> earlier = unread.getOrDefault(c, new ArrayDeque<>());
    for (int i = 0; i < 1_000; i++) {
      String text;
      if (!earlier.isEmpty()) {
        text = earlier.poll();
      } else {
        JsonNode m = JSON.readTree(c.readSkippingPings().text());
        if (!"ev.onText".equals(m.path("type").asString(""))) {
          continue;
        }
        text = m.path("payload").asString("");
      }
      texts.add(text);
      if (marker.equals(text)) {
        return texts;
      }
    }
    throw new AssertionError("no marker in 1,000 messages: " + texts);
  }

  private static void join(RawClient c, String room) throws IOException {
    c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
  }

  private static String resume(JsonNode session, String position) {
    return "x-zocket-recovery=1&x-zocket-session="
        + session.path("session").asString("")
        + "&x-zocket-pos="
        + position;
  }

  @Test
  void aResumedSessionIsReplayedItsRoomsAtTheTimeOfEachEventItselfAndBroadcastsInOrder()
      throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 1_000));
    RawClient other = connect(s, "user-name=other");
    join(other, "c");
    String otherId = clientId(other);
    s.emit(Events.class).toRoom("c").onText("before the session");

    RawClient alice = connect(s, "user-name=alice&x-zocket-recovery=1");
    JsonNode session = session(alice);
    String start = session.path("pos").asString("");
    s.emit(Events.class).toRoom("a").onText("a before the join");
    join(alice, "a");
    join(alice, "b");
    join(alice, "gone");
    String aliceId = clientId(alice); // the joins are handled
    s.emit(Events.class).toRoom("a").onText("a while connected");
    s.emit(Events.class).toRoom("gone").onText("gone while a member");
    alice.sendText("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"gone\"}}");
    clientId(alice); // the leave is handled
    s.emit(Events.class).toRoom("gone").onText("gone after the leave");
    s.emit(Events.class).to(aliceId).onText("live marker");
    assertThat(textsUntil(alice, "live marker"))
        .containsExactly("a while connected", "gone while a member", "live marker");
    alice.abort();
    Await.until("the drop is seen", Duration.ofSeconds(10), () -> s.connectionCount() == 1);

    s.emit(Events.class).toRoom("a").onText("1 a");
    s.emit(Events.class).toRoom("b").onText("2 b");
    s.emit(Events.class).toRoom("c").onText("3 c");
    s.emit(Events.class).broadcast().onText("4 everyone");
    s.emit(Events.class).to(aliceId).onText("5 alice");
    s.emit(Events.class).to(otherId).onText("6 other");
    s.emit(Events.class).except(aliceId).toRoom("a").onText("7 a but alice");
    s.emit(Events.class).toRoom("a", "c").onText("8 a and c");
    s.emit(Events.class).toRoom("gone").onText("9 gone");
    s.emit(Events.class).to(aliceId).onText("marker");

    // Resumed from where the session began: everything it was owed since, and nothing else.
    RawClient back = connect(s, "user-name=alice&" + resume(session, start));
    JsonNode resumed = session(back);
    assertThat(resumed.path("recovered").asBoolean()).isTrue();
    assertThat(textsUntil(back, "marker"))
        .containsExactly(
            "a while connected",
            "gone while a member",
            "live marker",
            "1 a",
            "2 b",
            "4 everyone",
            "5 alice",
            "8 a and c",
            "marker");
    assertThat(clientId(back)).isEqualTo(aliceId);
  }

  @Test
  void aResumeFromBeforeTheSessionBeganGetsNoneOfTheEarlierEvents() throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 1_000));
    RawClient owner = connect(s, "user-name=owner");
    join(owner, "private");
    clientId(owner);
    for (int i = 0; i < 13; i++) {
      s.emit(Events.class).toRoom("private").onText("secret " + i);
    }
    RawClient mallory = connect(s, "user-name=mallory&x-zocket-recovery=1");
    JsonNode session = session(mallory);
    assertThat(session.path("pos").asString("")).isNotEqualTo("0");
    mallory.abort();
    Await.until("the drop is seen", Duration.ofSeconds(10), () -> s.connectionCount() == 1);
    s.emit(Events.class).toRoom("private").onText("secret after");

    RawClient back = connect(s, "user-name=mallory&" + resume(session, "0"));
    assertThat(session(back).path("recovered").asBoolean()).isFalse();
    String id = clientId(back);
    s.emit(Events.class).to(id).onText("marker");
    assertThat(textsUntil(back, "marker")).containsExactly("marker");
    // The room's own member lost nothing.
    assertThat(textsUntil(owner, "secret after")).hasSize(14).startsWith("secret 0");
  }

  @Test
  void aPositionTheSessionWasNeverSentIsNotBelieved() throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 1_000));
    RawClient alice = connect(s, "user-name=alice&x-zocket-recovery=1");
    JsonNode session = session(alice);
    String id = clientId(alice);
    alice.abort();
    Await.until("the session is parked", Duration.ofSeconds(10), () -> s.state().live.isEmpty());
    for (int i = 0; i < 5; i++) {
      s.emit(Events.class).broadcast().onText("missed " + i);
    }
    long ahead = Long.parseLong(session.path("pos").asString("")) + 3; // kept, but never sent to it
    for (String bad : List.of(Long.toString(ahead), "not-a-position", "-1")) {
      RawClient liar = connect(s, "user-name=alice&" + resume(session, bad));
      assertThat(session(liar).path("recovered").asBoolean()).as(bad).isFalse();
      assertThat(clientId(liar)).isNotEqualTo(id);
    }
  }

  /** An authenticator naming the principal of a handshake by its {@code user} parameter. */
  private static Authenticator byUser() {
    return Authenticator.identifying(
        request -> {
          List<String> user = new QueryStringDecoder(request.uri()).parameters().get("user");
          if (user == null) {
            throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Who are you?");
          }
          return user.get(0);
        });
  }

  @Test
  void aStolenTokenResumesNothingForAnotherPrincipalAndLeavesTheSessionToItsOwner()
      throws Exception {
    BlockingQueue<String> users = new LinkedBlockingQueue<>();
    ZocketServer s =
        start(
            ZocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .headers(TestApi.Headers.class)
                .authenticate(byUser())
                .onConnect(
                    (h, id) -> {
                      users.add(h.userName());
                      return new TestApi.User(h.userName(), id);
                    })
                .handle(TestApi.Api.class, TestApi.ApiHandler::new)
                .recovery(Duration.ofSeconds(30), 1_000));
    RawClient alice = connect(s, "user=alice&user-name=alice&x-zocket-recovery=1");
    JsonNode session = session(alice);
    String aliceId = clientId(alice);
    assertThat(users.take()).isEqualTo("alice");

    // While alice is connected: the thief neither takes the session nor closes her connection.
    RawClient thief = connect(s, "user=mallory&user-name=mallory&" + resume(session, "0"));
    assertThat(session(thief).path("recovered").asBoolean()).isFalse();
    assertThat(clientId(thief)).isNotEqualTo(aliceId);
    assertThat(users.take()).isEqualTo("mallory"); // onConnect ran for the thief, as mallory
    s.emit(Events.class).to(aliceId).onText("still here");
    assertThat(textsUntil(alice, "still here")).containsExactly("still here");

    // Once she dropped: the thief again gets a session of its own, and hers stays hers.
    String position = session.path("pos").asString("");
    alice.abort();
    Await.until("the drop is seen", Duration.ofSeconds(10), () -> s.connectionCount() == 1);
    RawClient again = connect(s, "user=mallory&user-name=alice&" + resume(session, position));
    assertThat(session(again).path("recovered").asBoolean()).isFalse();
    assertThat(clientId(again)).isNotEqualTo(aliceId);
    RawClient back = connect(s, "user=alice&user-name=alice&" + resume(session, position));
    assertThat(session(back).path("recovered").asBoolean()).isTrue();
    assertThat(clientId(back)).isEqualTo(aliceId);
  }

  @Test
  void aTakeoverClosesTheOlderConnectionWithACodeItsClientDoesNotFight() throws Exception {
    ZocketServer s = start(Servers.standard().recovery(Duration.ofSeconds(30), 1_000));
    RawClient first = connect(s, "user-name=alice&x-zocket-recovery=1");
    JsonNode session = session(first);
    String id = clientId(first);

    RawClient second =
        connect(s, "user-name=alice&" + resume(session, session.path("pos").asString("")));
    assertThat(session(second).path("recovered").asBoolean()).isTrue();
    RawClient.Frame close = first.readSkippingPings();
    assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
    assertThat(close.closeStatus()).isEqualTo(Protocol.TAKEN_OVER);
    assertThat(close.text()).endsWith("Session resumed by another connection");
    assertThat(first.awaitEof()).isTrue();
    assertThat(clientId(second)).isEqualTo(id);
  }

  @Test
  void parkedSessionsCountAgainstTheRoomMemoryAndWavesOfThemCannotExhaustIt() throws Exception {
    // 20 rooms of 10-character ids: 20 x (64 + 160 + 10) = 4,680 bytes per connection in rooms,
    // 20 x 128 = 2,560 in its record of joins, and parked about 5,700 with its rooms: a wave of 8
    // takes about 58,000 bytes connected and 66,000 parked. A budget of 150,000 holds two parked
    // waves and not a third connected one; were parked rooms not counted (only the records of
    // joins, 20,480 a wave), it would hold all three.
    long budget = 150_000;
    ZocketServer s =
        start(
            Servers.standard()
                .maxRoomMemory(budget)
                .maxRoomsPerConnection(20)
                .recovery(Duration.ofSeconds(30), 1_000));
    RoomMemory roomMemory = s.directory().memory();
    int refused = 0;
    for (int wave = 0; wave < 3; wave++) {
      List<RawClient> clients = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        RawClient c = connect(s, "user-name=w" + wave + "&x-zocket-recovery=1");
        session(c);
        for (int r = 0; r < 20; r++) {
          c.sendText(
              "{\"type\":\"t.join\",\"rpcId\":\"j"
                  + r
                  + "\",\"payload\":{\"roomId\":\""
                  + String.format("w%dc%dr%03d", wave, i, r)
                  + "\"}}");
        }
        for (int r = 0; r < 20; r++) {
          if (c.readSkippingPings().text().contains(ErrorCodes.LIMIT_EXCEEDED)) {
            refused++;
          }
        }
        clients.add(c);
        assertThat(roomMemory.used()).isLessThanOrEqualTo(budget);
      }
      for (RawClient c : clients) {
        c.abort();
      }
      Await.until("the wave is parked", Duration.ofSeconds(10), () -> s.connectionCount() == 0);
      Await.until(
          "the wave's sessions are parked or ended",
          Duration.ofSeconds(10),
          () -> s.state().live.isEmpty());
      assertThat(roomMemory.used()).isLessThanOrEqualTo(budget);
      if (wave == 0) { // the parked sessions' rooms still count
        assertThat(roomMemory.used())
            .isGreaterThanOrEqualTo(8L * 20 * (Directory.MEMBERSHIP_BYTES + Directory.ROOM_BYTES));
      }
    }
    assertThat(refused).as("joins refused once parked sessions filled the budget").isPositive();
    // A healthy client still gets in and is served.
    RawClient healthy = connect(s, "user-name=healthy");
    healthy.sendText("{\"type\":\"t.echo\",\"rpcId\":\"1\",\"payload\":{\"text\":\"hi\",\"n\":1}}");
    assertThat(healthy.readSkippingPings().text()).contains("\"text\":\"hi\"");
  }
}
