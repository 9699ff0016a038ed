package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import dev.zocket.client.TestContracts.JoinRoom;
import dev.zocket.client.TestContracts.Joined;
import dev.zocket.client.TestContracts.Message;
import dev.zocket.client.TestContracts.Notice;
import dev.zocket.client.TestContracts.Post;
import dev.zocket.client.TestContracts.RoomEvents;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client's frames and its reading of the server's, checked against a bare WebSocket server. */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class WireTest {
  private RawServer server;
  private ZocketClient client;
  private final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

  /** Whether the client was built by {@link #builder()}, whose callbacks add to {@link #seen}. */
  private boolean recording;

  @BeforeEach
  void start() throws InterruptedException {
    server = RawServer.start(0);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      if (recording && client.state() == ZocketClient.State.OPEN) {
        // Nothing unexpected came: an event sent now is the next callback.
        server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"end of test\"}}");
        assertThat(next()).as("the next callback").isEqualTo(new Notice("end of test"));
      }
      client.close(); // returns once every callback has run, onClose last
    }
    server.close();
    assertThat(seen).as("unexpected callbacks").isEmpty();
  }

  /** Asserts the client sent nothing more: a frame it sends now is the next the server gets. */
  private void assertNoMoreFrames() {
    client.proxy(Rooms.class).leaveAll();
    assertThat(server.take()).as("the next frame").isEqualTo("{\"type\":\"rooms.leaveAll\"}");
  }

  private ZocketClient.Builder builder() {
    recording = true;
    return ZocketClient.builder(server.uri())
        .reconnect(ReconnectPolicy.disabled())
        .on(RoomEvents.class, new Listener());
  }

  /**
   * Adds every event to {@link #seen}, in the queue of the other callbacks, and throws on a message
   * "boom", as a faulty listener would.
   */
  private final class Listener implements RoomEvents {
    @Override
    public void onJoin(Joined event) {
      seen.add(event);
    }

    @Override
    public void onNotice(Notice notice) {
      seen.add(notice);
    }

    @Override
    public void onReset() {
      seen.add("reset");
    }

    @Override
    public void onMessage(Message message) {
      if (message.content().equals("boom")) {
        throw new IllegalStateException("listener failure on purpose");
      }
      seen.add(message);
    }
  }

  private Object next() {
    return Await.next("a callback", Duration.ofSeconds(5), seen);
  }

  @Test
  void sendsByteExactV1Envelopes() throws Exception {
    client = builder().connect();
    Rooms rooms = client.proxy(Rooms.class);

    rooms.join(new JoinRoom("general"));
    assertThat(server.take())
        .isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");

    rooms.leaveAll();
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.leaveAll\"}");

    CompletableFuture<List<String>> members = rooms.members(new JoinRoom("a"));
    assertThat(server.take())
        .isEqualTo("{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"a\"},\"rpcId\":\"1\"}");
    server.send("{\"type\":\"__rpc_res\",\"payload\":[\"alice\",\"bob\"],\"rpcId\":\"1\"}");
    assertThat(members.get(5, TimeUnit.SECONDS)).containsExactly("alice", "bob");

    CompletableFuture<Void> touched = rooms.touch().toCompletableFuture();
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.touch\",\"rpcId\":\"2\"}");
    server.send("{\"type\":\"__rpc_res\",\"rpcId\":\"2\"}");
    assertThat(touched.get(5, TimeUnit.SECONDS)).isNull();
    assertNoMoreFrames();
  }

  @Test
  void sendsHeadersAsQueryParametersWithTheProtocolVersion() throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/chat?room=a%20b");
    client =
        ZocketClient.builder(uri)
            .reconnect(ReconnectPolicy.disabled())
            .header("user-name", "Alice B")
            .header("x-ünï", "&=")
            .connect();
    assertThat(server.takeUri())
        .isEqualTo(
            "/chat?room=a%20b&user-name=Alice+B&x-%C3%BCn%C3%AF=%26%3D&x-zocket-version=0.1.0"
                + "&x-zocket-streams=1&x-zocket-recovery=1");
  }

  /**
   * Connects a recording client that reconnects at once; each {@code onOpen} adds whether it
   * resumed its session to the queue returned.
   */
  private BlockingQueue<Boolean> reconnectingClient() {
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    client =
        builder()
            .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(10)))
            .onOpen(c -> opens.add(c.recovered()))
            .connect();
    return opens;
  }

  /**
   * A server with recovery: the session and the last position travel back with the reconnect, the
   * connection opens once the server answered, replayed events follow {@code onOpen}, and {@code
   * __session} never reaches a listener.
   */
  @Test
  void resumesItsSessionWithTheLastPositionItReceived() throws Exception {
    BlockingQueue<Boolean> opens = reconnectingClient();
    assertThat(server.takeUri())
        .endsWith("?x-zocket-version=0.1.0&x-zocket-streams=1&x-zocket-recovery=1");
    assertThat(Await.next("the first open", opens)).isFalse();
    server.send(
        "{\"type\":\"__session\",\"payload\":{\"session\":\"s3cr3t\",\"pos\":\"41\","
            + "\"recovered\":false}}");
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"a\"},\"pos\":\"42\"}");
    assertThat(next()).isEqualTo(new Notice("a"));

    server.dropConnections();
    assertThat(server.takeUri())
        .endsWith("&x-zocket-recovery=1&x-zocket-session=s3cr3t&x-zocket-pos=42");
    server.send(
        "{\"type\":\"__session\",\"payload\":{\"session\":\"s3cr3t\",\"pos\":\"42\","
            + "\"recovered\":true}}");
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"b\"},\"pos\":\"43\"}");
    assertThat(Await.next("the reopening", opens)).isTrue();
    assertThat(next()).isEqualTo(new Notice("b"));
    assertThat(client.recovered()).isTrue();
  }

  /** Without recovery, the client asks for none and ignores a session it is given. */
  @Test
  void withoutRecoveryAReconnectIsAlwaysFresh() throws Exception {
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    client =
        builder()
            .recovery(false)
            .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(10)))
            .onOpen(c -> opens.add(c.recovered()))
            .connect();
    assertThat(server.takeUri()).endsWith("/?x-zocket-version=0.1.0&x-zocket-streams=1");
    assertThat(Await.next("the first open", opens)).isFalse();
    server.send(
        "{\"type\":\"__session\",\"payload\":{\"session\":\"t\",\"pos\":\"1\","
            + "\"recovered\":false}}");
    server.dropConnections();
    assertThat(server.takeUri()).endsWith("/?x-zocket-version=0.1.0&x-zocket-streams=1");
    assertThat(Await.next("the reopening", opens)).isFalse();
  }

  /** A version 1 server says nothing of sessions: a reconnect opens as soon as anything comes. */
  @Test
  void aServerThatDoesNotAnswerTheResumptionStartsAFreshSession() throws Exception {
    BlockingQueue<Boolean> opens = reconnectingClient();
    server.takeUri();
    assertThat(Await.next("the first open", opens)).isFalse();
    server.send(
        "{\"type\":\"__session\",\"payload\":{\"session\":\"t\",\"pos\":\"1\","
            + "\"recovered\":false}}");
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"a\"},\"pos\":\"2\"}");
    assertThat(next()).isEqualTo(new Notice("a"));

    server.dropConnections();
    assertThat(server.takeUri()).endsWith("&x-zocket-session=t&x-zocket-pos=2");
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"v1\"}}");
    assertThat(Await.next("the reopening", opens)).isFalse();
    assertThat(next()).isEqualTo(new Notice("v1")); // the frame that opened it is not lost
  }

  @Test
  void blockingCallReturnsTheReply() throws Exception {
    client = builder().connect();
    Rooms rooms = client.proxy(Rooms.class);
    CompletableFuture<String> echo = CompletableFuture.supplyAsync(() -> rooms.echo("hi"));
    assertThat(server.take())
        .isEqualTo("{\"type\":\"rooms.echo\",\"payload\":\"hi\",\"rpcId\":\"1\"}");
    server.send("{\"type\":\"__rpc_res\",\"payload\":\"hi back\",\"rpcId\":\"1\"}");
    assertThat(echo.get(5, TimeUnit.SECONDS)).isEqualTo("hi back");

    CompletableFuture<Integer> count = CompletableFuture.supplyAsync(rooms::count);
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.count\",\"rpcId\":\"2\"}");
    server.send("{\"type\":\"__rpc_res\",\"rpcId\":\"2\"}");
    assertThatThrownBy(() -> count.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ZocketException.class)
        .hasMessage("The reply to rooms.count has no value, but Rooms.count returns int");
  }

  @Test
  void errorReplyFailsTheCallWithCodeMessageAndDetails() throws Exception {
    client = builder().connect();
    CompletableFuture<List<String>> members = client.proxy(Rooms.class).members(new JoinRoom("a"));
    server.take();
    server.send(
        "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"INVALID_PAYLOAD\","
            + "\"message\":\"Invalid payload for rooms.members\","
            + "\"details\":[{\"path\":\"roomId\",\"message\":\"must not be blank\"}]}}");
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> members.get(5, TimeUnit.SECONDS));
    ZocketException z = (ZocketException) e.getCause();
    assertThat(z.code()).isEqualTo(ErrorCodes.INVALID_PAYLOAD);
    assertThat(z.getMessage()).isEqualTo("Invalid payload for rooms.members");
    assertThat(z.details()).containsExactly(new Violation("roomId", "must not be blank"));

    Rooms rooms = client.proxy(Rooms.class);
    CompletableFuture<String> echo = CompletableFuture.supplyAsync(() -> rooms.echo("x"));
    server.take();
    server.send(
        "{\"type\":\"__rpc_res\",\"rpcId\":\"2\",\"error\":{\"code\":\"NOT_A_MEMBER\","
            + "\"message\":\"You are not in room a\"}}");
    assertThatThrownBy(() -> echo.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ZocketException.class)
        .hasMessage("You are not in room a")
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo("NOT_A_MEMBER");
  }

  @Test
  void replyThatDoesNotFitTheTypeFailsTheCall() throws Exception {
    client = builder().connect();
    CompletableFuture<List<String>> members = client.proxy(Rooms.class).members(new JoinRoom("a"));
    server.take();
    server.send("{\"type\":\"__rpc_res\",\"payload\":{\"not\":\"a list\"},\"rpcId\":\"1\"}");
    assertThatThrownBy(() -> members.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(InvalidPayloadException.class);
  }

  @Test
  void deliversEventsInOrderAndIgnoresUnknownAndBadOnes() throws Exception {
    client = builder().connect();
    server.send("{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"a\",\"userName\":\"bob\"}}");
    server.send("{\"type\":\"rooms.onSomethingNew\",\"payload\":{\"x\":1}}");
    server.send("not json");
    server.send("{\"type\":\"rooms.onJoin\",\"payload\":[1,2]}");
    server.send("{\"payload\":{}}");
    server.send(
        "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"a\",\"userName\":\"bob\","
            + "\"content\":\"boom\"}}");
    for (int i = 0; i < 20; i++) {
      server.send(
          "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"a\",\"userName\":\"bob\","
              + "\"content\":\"m"
              + i
              + "\"},\"extra\":true}");
    }
    assertThat(next()).isEqualTo(new Joined("a", "bob"));
    for (int i = 0; i < 20; i++) {
      assertThat(next()).isEqualTo(new Message("a", "bob", "m" + i));
    }
    // The connection survived the throwing listener and the garbage.
    assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
    client.proxy(Rooms.class).leaveAll();
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.leaveAll\"}");
  }

  @Test
  void eventsBindAsOnTheServerWhateverTheKeyOrderAndNeverHandNullToAListener() throws Exception {
    client = builder().connect();
    // The payload before the type is bound from its buffer, as the server does.
    server.send("{\"payload\":{\"roomId\":\"a\",\"userName\":\"bob\"},\"type\":\"rooms.onJoin\"}");
    // A null or missing payload for a record is refused, as the server refuses it.
    server.send("{\"type\":\"rooms.onJoin\",\"payload\":null}");
    server.send("{\"type\":\"rooms.onJoin\"}");
    server.send("{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"b\",\"userName\":\"bob\"}}");
    assertThat(next()).isEqualTo(new Joined("a", "bob"));
    assertThat(next()).isEqualTo(new Joined("b", "bob")); // nothing for the two in between
  }

  @Test
  void incomingEventsAreValidatedUnlessSwitchedOff() throws Exception {
    client = builder().connect();
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\" \"}}");
    server.send("{\"type\":\"rooms.onReset\"}");
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\"ok\"}}");
    assertThat(next()).isEqualTo("reset");
    assertThat(next()).isEqualTo(new Notice("ok"));
    client.close();

    client = builder().validatePayloads(false).connect();
    server.send("{\"type\":\"rooms.onNotice\",\"payload\":{\"text\":\" \"}}");
    assertThat(next()).isEqualTo(new Notice(" "));
  }

  @Test
  void usesTheGivenObjectMapper() throws Exception {
    client =
        builder()
            .objectMapper(
                tools.jackson.databind.json.JsonMapper.builder()
                    .propertyNamingStrategy(
                        tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                    .build())
            .connect();
    client.proxy(Rooms.class).join(new JoinRoom("general"));
    assertThat(server.take())
        .isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"room_id\":\"general\"}}");
    server.send("{\"type\":\"rooms.onJoin\",\"payload\":{\"room_id\":\"a\",\"user_name\":\"b\"}}");
    assertThat(next()).isEqualTo(new Joined("a", "b"));
  }

  @Test
  void invalidPayloadFailsAtTheCallSiteAndSendsNothing() throws Exception {
    client = builder().connect();
    Rooms rooms = client.proxy(Rooms.class);
    assertThatThrownBy(() -> rooms.join(new JoinRoom(" ")))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessage("Invalid payload for rooms.join")
        .extracting(t -> ((InvalidPayloadException) t).details())
        .isEqualTo(List.of(new Violation("roomId", "must not be blank")));
    assertThatThrownBy(() -> rooms.members(new JoinRoom("x".repeat(17))))
        .isInstanceOf(InvalidPayloadException.class);
    rooms.post(new Post("a", "ok"));
    assertThat(server.take())
        .isEqualTo("{\"type\":\"rooms.post\",\"payload\":{\"roomId\":\"a\",\"content\":\"ok\"}}");
    assertNoMoreFrames();
  }

  @Test
  void validationCanBeSwitchedOff() throws Exception {
    client = builder().validatePayloads(false).connect();
    client.proxy(Rooms.class).join(new JoinRoom(""));
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"\"}}");
  }

  @Test
  void callsTimeOutPerClientAndPerMethod() throws Exception {
    client = builder().callTimeout(Duration.ofMillis(300)).connect();
    Rooms rooms = client.proxy(Rooms.class);
    CompletableFuture<List<String>> members = rooms.members(new JoinRoom("a"));
    CompletableFuture<String> slow = rooms.slow();
    assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ZocketException.class)
        .hasMessage("No reply to rooms.slow within 200 ms");
    assertThatThrownBy(() -> members.get(5, TimeUnit.SECONDS))
        .cause()
        .hasMessage("No reply to rooms.members within 300 ms")
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo(ErrorCodes.TIMEOUT);
    // A late reply is dropped quietly.
    server.send("{\"type\":\"__rpc_res\",\"payload\":[],\"rpcId\":\"1\"}");
    assertThat(server.take()).contains("\"rpcId\":\"1\"");
    assertThat(server.take()).contains("\"rpcId\":\"2\"");
  }

  @Test
  void pendingCallsFailAtOnceWhenTheConnectionDrops() throws Exception {
    client =
        builder()
            .onClose((code, reason) -> seen.add("closed " + code))
            .callTimeout(Duration.ofSeconds(20))
            .connect();
    Rooms rooms = client.proxy(Rooms.class);
    CompletableFuture<List<String>> a = rooms.members(new JoinRoom("a"));
    CompletableFuture<String> b = rooms.slow();
    CompletableFuture<String> c = CompletableFuture.supplyAsync(() -> rooms.echo("c"));
    for (int i = 0; i < 3; i++) {
      server.take();
    }
    server.dropConnections();
    for (CompletableFuture<?> f : List.of(a, b, c)) {
      assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ZocketException.class)
          .extracting(t -> ((ZocketException) t).code())
          .isEqualTo(ErrorCodes.DISCONNECTED);
    }
    assertThat(next()).isEqualTo("closed 1006");
    assertThat(client.state()).isEqualTo(ZocketClient.State.CLOSED);
    assertThatThrownBy(() -> rooms.leaveAll())
        .isInstanceOf(ZocketException.class)
        .hasMessage("The client is closed; rooms.leaveAll was not sent");
    assertThat(rooms.members(new JoinRoom("a")))
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withMessageContaining("Not connected; the call rooms.members was not sent");
  }

  @Test
  void serverCloseFrameReachesOnClose() throws Exception {
    client = builder().onClose((code, reason) -> seen.add(code + " " + reason)).connect();
    server.closeConnection(1001, "going away");
    assertThat(next()).isEqualTo("1001 going away");
  }

  @Test
  void closeSendsNormalClosureAndIsTheLastCallback() throws Exception {
    client =
        builder()
            .onOpen(c -> seen.add("open " + c.state()))
            .onClose((code, reason) -> seen.add(code + " " + reason))
            .connect();
    assertThat(next()).isEqualTo("open OPEN");
    client.close();
    assertThat(next()).isEqualTo("1000 closed by the client");
    assertThat(server.closes.poll(5, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(client.state()).isEqualTo(ZocketClient.State.CLOSED);
    client.close();
  }

  @Test
  void rejectedHandshakeQuotesTheBody() {
    String body =
        "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\",\"message\":\"must not"
            + " be blank\"}]}";
    server.reject(HttpResponseStatus.BAD_REQUEST, body);
    assertThatThrownBy(() -> builder().header("user-name", "").connect())
        .isInstanceOf(HandshakeRejectedException.class)
        .hasMessage("Server rejected the WebSocket handshake with HTTP 400 Bad Request: " + body)
        .satisfies(
            t -> {
              HandshakeRejectedException e = (HandshakeRejectedException) t;
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_PAYLOAD);
              assertThat(e.body()).isEqualTo(body);
              assertThat(e.details())
                  .containsExactly(new Violation("user-name", "must not be blank"));
            });
  }

  @Test
  void unreachableServerFailsConnect() {
    int port = server.port();
    server.close();
    assertThatThrownBy(() -> ZocketClient.builder(URI.create("ws://127.0.0.1:" + port)).connect())
        .isInstanceOf(ZocketException.class)
        .hasMessageStartingWith("Could not connect to ws://127.0.0.1:" + port + ": ")
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo(ErrorCodes.DISCONNECTED);
  }

  @Test
  void connectAsyncCompletesAfterOnOpen() throws Exception {
    CompletableFuture<ZocketClient> connecting =
        builder().onOpen(c -> seen.add("open " + c.state())).connectAsync();
    client = connecting.get(5, TimeUnit.SECONDS);
    assertThat(seen.poll()).isEqualTo("open OPEN");
    assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
  }

  @Test
  void silentServerTimesTheHandshakeOut() throws Exception {
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      URI uri = URI.create("ws://127.0.0.1:" + silent.getLocalPort());
      assertThatThrownBy(
              () -> ZocketClient.builder(uri).connectTimeout(Duration.ofMillis(300)).connect())
          .isInstanceOf(ZocketException.class)
          .hasMessage("The WebSocket handshake timed out")
          .extracting(t -> ((ZocketException) t).code())
          .isEqualTo(ErrorCodes.TIMEOUT);
    }
  }

  @Test
  void answersPingsAndDetectsADeadServer() throws Exception {
    client =
        builder()
            .idleTimeout(Duration.ofMillis(600))
            .onClose((code, reason) -> seen.add(code + " " + reason))
            .connect();
    server.ping("are you there");
    assertThat(server.pongs.poll(5, TimeUnit.SECONDS)).isEqualTo("are you there");
    server.stopReading();
    assertThat(next()).isEqualTo("1006 No data from the server for 600 ms");
  }

  @Test
  void idleClientPingsAndStaysOpenWhileTheServerAnswers() throws Exception {
    client = builder().idleTimeout(Duration.ofMillis(200)).connect();
    // With no other traffic the client pings after 100 ms of silence, and the server's protocol
    // handler answers: three pings take longer than the idle timeout, and the connection stays.
    for (int i = 0; i < 3; i++) {
      assertThat(server.pings.poll(5, TimeUnit.SECONDS)).as("ping %s", i + 1).isNotNull();
    }
    client.proxy(Rooms.class).leaveAll();
    assertThat(server.take()).isEqualTo("{\"type\":\"rooms.leaveAll\"}");
    assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
    // The server never pinged, so the client sent no pong: one would have come before leaveAll.
    assertThat(server.pongs).isEmpty();
  }

  @Test
  void blockingCallOnTheIoThreadIsRefused() throws Exception {
    client = builder().connect();
    Rooms rooms = client.proxy(Rooms.class);
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    rooms
        .members(new JoinRoom("a"))
        .whenComplete(
            (v, e) -> {
              try {
                outcome.complete(rooms.echo("x"));
              } catch (RuntimeException re) {
                outcome.complete(re);
              }
            });
    server.take();
    server.send("{\"type\":\"__rpc_res\",\"payload\":[],\"rpcId\":\"1\"}");
    assertThat(outcome.get(5, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .asString()
        .contains("Blocking call Rooms.echo on the client's I/O thread would never be answered");
    assertNoMoreFrames();
  }

  @Test
  void proxiesAnswerObjectMethodsAndRunDefaultMethodsLocally() throws Exception {
    client = builder().connect();
    Rooms rooms = client.proxy(Rooms.class);
    assertThat(client.proxy(Rooms.class)).isSameAs(rooms);
    assertThat(rooms.greet("bob")).isEqualTo("hello bob");
    assertThat(rooms).isEqualTo(rooms).isNotEqualTo(client.proxy(OtherRooms.class));
    assertThat(rooms.hashCode()).isEqualTo(System.identityHashCode(rooms));
    assertThat(rooms.toString())
        .isEqualTo("Rooms proxy of ZocketClient(" + server.uri() + ", OPEN)");
    assertNoMoreFrames();
  }

  @dev.zocket.Namespace("other")
  interface OtherRooms {
    void join(JoinRoom room);
  }
}
