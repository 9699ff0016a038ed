package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.JdkWebSocket;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The chat contract as it travels, through public API only: its routes on the wire of the chat
 * server, written and read by a plain WebSocket (the JDK's); its event envelopes byte for byte, as
 * a server sends them; and the rules of its payloads and headers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ContractTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Wire> wires = new ArrayList<>();
  private final List<ChatMember> members = new ArrayList<>();

  /** The server without handlers each member not on the chat server is on. */
  private final Map<ChatMember, ZocketServer> plainServers = new HashMap<>();

  private final List<ZocketServer> servers = new ArrayList<>();
  private ChatServer chat;

  @BeforeEach
  void start() {
    LeakDetection.install();
    chat = ChatServer.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      // Nothing came that a test did not take: a marker sent now must be the next thing to arrive.
      for (Wire w : wires) {
        w.assertNoMoreFrames();
      }
      for (int i = 0; i < members.size(); i++) {
        ChatMember m = members.get(i);
        ZocketServer plain = plainServers.get(m);
        if (plain == null) {
          m.assertNoMoreEvents("end of test " + i);
        } else {
          Joined marker = new Joined("end of test " + i, "");
          plain.emit(RoomEvents.class).broadcast().onJoin(marker);
          assertThat(m.next()).as(m.name + "'s next event").isEqualTo(marker);
        }
      }
    } finally {
      wires.forEach(Wire::close);
      members.forEach(ChatMember::close);
      servers.forEach(ZocketServer::close);
      chat.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void routesAreTheSeedRoutesPlusMembers() throws Exception {
    // A route per method: a void method is a message, one returning a future a call.
    assertThat(returnTypes(Rooms.class))
        .isEqualTo(
            Map.of(
                "join", void.class,
                "leave", void.class,
                "message", void.class,
                "members", CompletableFuture.class));
    assertThat(returnTypes(RoomEvents.class))
        .isEqualTo(Map.of("onJoin", void.class, "onLeave", void.class, "onMessage", void.class));

    // On the wire, under the seed's names: the messages bring events only, the call its reply.
    Wire alice = wire(chat.port(), "?user-name=Alice");
    alice.send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    assertThat(alice.next())
        .isEqualTo(
            "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Alice\"}}");
    alice.send(
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"m1\"}");
    assertThat(alice.next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[\"Alice\"],\"rpcId\":\"m1\"}");
    alice.send(
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"hi\"}}");
    assertThat(alice.next())
        .matches(
            Pattern.quote(
                    "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"general\","
                        + "\"userName\":\"Alice\",\"content\":\"hi\",\"timestamp\":\"")
                + "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\"}}");
    alice.send("{\"type\":\"rooms.leave\",\"payload\":{\"roomId\":\"general\"}}");
    assertThat(alice.next())
        .isEqualTo(
            "{\"type\":\"rooms.onLeave\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Alice\"}}");
    alice.send(
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"m2\"}");
    assertThat(alice.next()).contains("\"rpcId\":\"m2\"").contains("\"code\":\"NOT_A_MEMBER\"");
  }

  @Test
  void messageEventIsTheV1EnvelopeWithAnIsoTimestamp() throws Exception {
    ZocketServer server = server();
    Wire wire = wire(server.port(), "");
    ChatMember bob = member(server.port(), "Bob");
    plainServers.put(bob, server);
    Await.until("both connected", () -> server.connectionCount() == 2);

    ChatMessage message =
        new ChatMessage("general", "Alice", "hi", Instant.parse("2026-11-25T18:43:13.464Z"));
    server.emit(RoomEvents.class).broadcast().onMessage(message);

    assertThat(wire.next())
        .isEqualTo(
            "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Alice\","
                + "\"content\":\"hi\",\"timestamp\":\"2026-11-25T18:43:13.464Z\"}}");
    // And read back by a client to the same instant.
    assertThat(bob.next()).isEqualTo(message);
  }

  @Test
  void timestampAlwaysHasMillisecondsLikeJavaScript() throws Exception {
    ZocketServer server = server();
    Wire wire = wire(server.port(), "");
    Await.until("connected", () -> server.connectionCount() == 1);

    server
        .emit(RoomEvents.class)
        .broadcast()
        .onMessage(new ChatMessage("r", "u", "c", Instant.parse("2026-11-25T18:43:13Z")));

    assertThat(wire.next()).contains("\"timestamp\":\"2026-11-25T18:43:13.000Z\"");
  }

  @Test
  void joinAndLeaveEventsAreTheV1Envelopes() throws Exception {
    ZocketServer server = server();
    Wire wire = wire(server.port(), "");
    Await.until("connected", () -> server.connectionCount() == 1);

    server.emit(RoomEvents.class).broadcast().onJoin(new Joined("general", "Bob"));
    server.emit(RoomEvents.class).broadcast().onLeave(new Left("general", "Bob"));

    assertThat(wire.next())
        .isEqualTo(
            "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Bob\"}}");
    assertThat(wire.next())
        .isEqualTo(
            "{\"type\":\"rooms.onLeave\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Bob\"}}");
  }

  @Test
  void userNameDefaultsToAnonymousWhenMissingOnly() throws Exception {
    Map<String, String> nameByQuery = new LinkedHashMap<>();
    nameByQuery.put("", "Anonymous");
    nameByQuery.put("?user-name=Alice", "Alice");
    // The seed's z.string().default("Anonymous"): any string given is the name.
    nameByQuery.put("?user-name=%20", " ");
    nameByQuery.put("?user-name=", "");
    nameByQuery.put("?user-name=" + "x".repeat(500), "x".repeat(500));
    int room = 0;
    for (Map.Entry<String, String> e : nameByQuery.entrySet()) {
      Wire wire = wire(chat.port(), e.getKey());
      String roomId = "room" + room++;
      wire.send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + roomId + "\"}}");
      assertThat(wire.next())
          .as(e.getKey())
          .isEqualTo(
              "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\""
                  + roomId
                  + "\",\"userName\":\""
                  + e.getValue()
                  + "\"}}");
    }
  }

  @Test
  void roomIdsAndContentAreAnyStringButNotNull() throws Exception {
    ChatMember alice = member(chat.port(), "Alice");
    alice.joinAndWait("general");
    for (String any :
        List.of("", " ", "\t\n", "\u0000\u001f", "r".repeat(65), "c".repeat(60_000))) {
      alice.joinAndWait(any);
      alice.post(any, "hi");
      alice.nextMessage(any, "Alice", "hi");
      alice.post("general", any);
      alice.nextMessage("general", "Alice", any);
    }

    // Refused by the client before sending...
    assertThatThrownBy(() -> alice.rooms.join(new RoomId(null)))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e -> assertThat(e.details()).extracting(Violation::path).containsExactly("roomId"));
    assertThatThrownBy(() -> alice.post("general", null))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e -> assertThat(e.details()).extracting(Violation::path).containsExactly("content"));

    // ... and by the server.
    Wire wire = wire(chat.port(), "?user-name=Mallory");
    wire.send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":null},\"rpcId\":\"j\"}");
    assertThat(invalidPaths(wire.next(), "j")).containsExactly("roomId");
    wire.send(
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":null},"
            + "\"rpcId\":\"m\"}");
    assertThat(invalidPaths(wire.next(), "m")).containsExactly("content");
  }

  /** The methods of a contract, by name, with their return types. */
  private static Map<String, Class<?>> returnTypes(Class<?> contract) {
    return Arrays.stream(contract.getDeclaredMethods())
        .collect(Collectors.toMap(Method::getName, Method::getReturnType));
  }

  /** The paths of the violations of an {@code INVALID_PAYLOAD} reply to the call {@code rpcId}. */
  private static List<String> invalidPaths(String reply, String rpcId) throws Exception {
    JsonNode node = JSON.readTree(reply);
    assertThat(node.path("type").asString("")).isEqualTo("__rpc_res");
    assertThat(node.path("rpcId").asString("")).isEqualTo(rpcId);
    assertThat(node.path("error").path("code").asString("")).isEqualTo("INVALID_PAYLOAD");
    List<String> paths = new ArrayList<>();
    node.path("error").path("details").forEach(d -> paths.add(d.path("path").asString("")));
    return paths;
  }

  /** A server with no handlers, whose events the test sends itself. */
  private ZocketServer server() {
    ZocketServer server = ZocketServer.builder().host("127.0.0.1").port(0).start();
    servers.add(server);
    return server;
  }

  private ChatMember member(int port, String name) {
    ChatMember member = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), name);
    members.add(member);
    return member;
  }

  private Wire wire(int port, String query) throws Exception {
    Wire wire = new Wire(URI.create("ws://127.0.0.1:" + port + "/" + query));
    wires.add(wire);
    return wire;
  }

  /** A plain WebSocket client (the JDK's) that queues the text frames it receives. */
  private static final class Wire extends JdkWebSocket {
    Wire(URI uri) {
      open(uri, Map.of());
    }

    /** Sends a call no server has a route for: its error reply must be the next frame. */
    void assertNoMoreFrames() {
      send("{\"type\":\"end.ofTest\",\"payload\":null,\"rpcId\":\"end-of-test\"}");
      assertThat(next()).as("the next frame").contains("\"rpcId\":\"end-of-test\"");
    }
  }
}
