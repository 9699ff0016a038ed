package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.InvalidPayloadException;
import dev.zocket.ZocketException;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import jakarta.validation.constraints.NotBlank;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RoomsTest {
  private static final BlockingQueue<String> disconnects = new LinkedBlockingQueue<>();
  private static ZocketServer server;
  private final List<JdkClient> clients = new ArrayList<>();

  public record Checked(@NotBlank String text) {}

  public interface CheckedEvents {
    void onChecked(Checked c);
  }

  @BeforeAll
  static void start() {
    server =
        Servers.standard()
            .onDisconnect(
                ctx ->
                    disconnects.add(ctx.user().name() + " " + new TreeSet<>(ctx.rooms().current())))
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    LeakDetection.assertNoLeaks();
  }

  @AfterEach
  void closeClients() throws InterruptedException {
    clients.forEach(JdkClient::close);
    for (int i = 0; i < clients.size(); i++) {
      assertThat(disconnects.poll(10, TimeUnit.SECONDS))
          .as("timed out waiting for onDisconnect")
          .isNotNull();
    }
    awaitEmpty();
  }

  private static void awaitEmpty() {
    Await.until(
        "no connection and no room left",
        () -> server.connectionCount() == 0 && server.roomCount() == 0);
  }

  private JdkClient client(String name, String... rooms) {
    JdkClient c = JdkClient.connect(server.port(), "?user-name=" + name);
    clients.add(c);
    for (String room : rooms) {
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
    }
    c.sync();
    return c;
  }

  private static String clientId(JdkClient c) {
    c.call("t.whoami", null);
    String reply = c.next();
    return reply.substring(reply.indexOf("\"clientId\":\"") + 12, reply.indexOf("\"},\"rpcId\""));
  }

  private static final String HELLO = "{\"type\":\"ev.onText\",\"payload\":\"hello\"}";

  @Test
  void sendsToClientsById() {
    JdkClient a = client("A");
    JdkClient b = client("B");
    JdkClient c = client("C");
    server.emit(Events.class).to(clientId(a), clientId(c), clientId(a), "unknown").onText("hello");
    assertThat(a.next()).isEqualTo(HELLO);
    assertThat(c.next()).isEqualTo(HELLO);
    a.sync();
    b.sync();
    c.sync();
  }

  @Test
  void sendsToRoomsOncePerMember() {
    JdkClient a = client("A", "r1", "r2");
    JdkClient b = client("B", "r2");
    JdkClient c = client("C", "r3");
    JdkClient d = client("D");
    server.emit(Events.class).toRoom("r1", "r2", "empty").onText("hello");
    assertThat(a.next()).isEqualTo(HELLO);
    assertThat(b.next()).isEqualTo(HELLO);
    for (JdkClient x : List.of(a, b, c, d)) {
      x.sync(); // nothing else arrived: a got it once, c and d not at all
    }
  }

  @Test
  void skipsExceptedClients() {
    JdkClient a = client("A", "r1");
    JdkClient b = client("B", "r1");
    JdkClient c = client("C");
    String aid = clientId(a);
    String cid = clientId(c);
    server.emit(Events.class).except(aid).toRoom("r1").onText("hello");
    assertThat(b.next()).isEqualTo(HELLO);
    server.emit(Events.class).except(aid).except(cid).broadcast().onText("hello");
    assertThat(b.next()).isEqualTo(HELLO);
    server.emit(Events.class).except(cid).to(aid, cid).onText("hello");
    assertThat(a.next()).isEqualTo(HELLO);
    a.sync();
    b.sync();
    c.sync();
  }

  @Test
  void aLargeRoomReachesItsMembersOfTheMomentAfterEveryChange() {
    // More members than a small room's array holds: the room keeps a set, and fan-outs a copy.
    List<JdkClient> members = new ArrayList<>();
    for (int i = 0; i < Room.SMALL + 4; i++) {
      members.add(client("M" + i, "big"));
    }
    Events big = server.emit(Events.class).toRoom("big");
    big.onText("hello");
    for (JdkClient m : members) {
      assertThat(m.next()).isEqualTo(HELLO);
    }
    JdkClient leaver = members.remove(0);
    leaver.send("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"big\"}}");
    leaver.sync();
    JdkClient joiner = client("J", "big");
    members.add(joiner);
    big.onText("again");
    for (JdkClient m : members) {
      assertThat(m.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"again\"}");
      m.sync();
    }
    leaver.sync(); // its reply to sync came after the event would have: nothing came
  }

  @Test
  void broadcastsToEveryone() {
    List<JdkClient> all = List.of(client("A", "r1"), client("B"), client("C"));
    server.emit(Events.class).broadcast().onPing();
    for (JdkClient x : all) {
      assertThat(x.next()).isEqualTo("{\"type\":\"ev.onPing\"}");
      x.sync();
    }
  }

  @Test
  void handlersEmitToTheirRoomExceptThemselves() {
    JdkClient a = client("Alice", "general");
    JdkClient b = client("Bob", "general");
    JdkClient c = client("Carol", "other");
    a.send("{\"type\":\"t.say\",\"payload\":{\"roomId\":\"general\",\"text\":\"hi all\"}}");
    assertThat(b.next())
        .isEqualTo(
            "{\"type\":\"ev.onMessage\",\"payload\":{\"roomId\":\"general\",\"from\":\"Alice\",\"text\":\"hi"
                + " all\"}}");
    a.sync();
    b.sync();
    c.sync();
  }

  @Test
  void eventsFromHandlerThreadsArriveInOrderOnEveryIoThread() {
    // Members land on different I/O threads; say runs on the handler executor, so each event is
    // handed to every member's I/O thread in a batch.
    JdkClient sender = client("S", "order");
    List<JdkClient> members = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      members.add(client("M" + i, "order"));
    }
    int n = 300;
    for (int i = 0; i < n; i++) {
      sender.send("{\"type\":\"t.say\",\"payload\":{\"roomId\":\"order\",\"text\":\"" + i + "\"}}");
    }
    for (JdkClient m : members) {
      for (int i = 0; i < n; i++) {
        assertThat(m.next())
            .isEqualTo(
                "{\"type\":\"ev.onMessage\",\"payload\":{\"roomId\":\"order\",\"from\":\"S\","
                    + "\"text\":\""
                    + i
                    + "\"}}");
      }
      m.sync();
    }
    sender.sync();
  }

  @Test
  void joinsLeavesAndRemovesEmptyRooms() {
    JdkClient a = client("A", "r1", "r2", "r1");
    JdkClient b = client("B", "r2");
    String id = a.call("t.rooms", null);
    assertThat(a.next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[\"r1\",\"r2\"],\"rpcId\":\"" + id + "\"}");
    assertThat(server.roomCount()).isEqualTo(2);
    a.send("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"r1\"}}");
    a.send("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"never\"}}");
    a.sync();
    assertThat(server.roomCount()).isEqualTo(1);
    // One room left: the set of one is held as its name (ConnectionRooms), and reads the same.
    id = a.call("t.rooms", null);
    assertThat(a.next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[\"r2\"],\"rpcId\":\"" + id + "\"}");
    a.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r2\"}}"); // already in it
    server.emit(Events.class).toRoom("r1").onText("hello");
    a.send("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"r2\"}}");
    a.sync();
    id = a.call("t.rooms", null);
    assertThat(a.next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[],\"rpcId\":\"" + id + "\"}");
    b.send("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"r2\"}}");
    b.sync();
    assertThat(server.roomCount()).isZero();
  }

  @Test
  void disconnectReleasesEverythingAndOnDisconnectSeesTheRooms() throws InterruptedException {
    JdkClient a = JdkClient.connect(server.port(), "?user-name=Gone");
    a.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"x\"}}");
    a.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"y\"}}");
    a.sync();
    JdkClient b = client("Stays", "y");
    assertThat(server.connectionCount()).isEqualTo(2);
    a.close();
    assertThat(disconnects.poll(10, TimeUnit.SECONDS)).isEqualTo("Gone [x, y]");
    Await.until("room x released", () -> server.roomCount() <= 1);
    assertThat(server.roomCount()).isEqualTo(1);
    assertThat(server.connectionCount()).isEqualTo(1);
    server.emit(Events.class).toRoom("x", "y").onText("hello");
    assertThat(b.next()).isEqualTo(HELLO);
    b.sync();
  }

  @Test
  void validatesOutgoingEventsOnceAndSendsNothingWhenInvalid() {
    JdkClient a = client("A");
    assertThatThrownBy(
            () -> server.emit(CheckedEvents.class).broadcast().onChecked(new Checked(" ")))
        .isInstanceOf(InvalidPayloadException.class);
    server.emit(CheckedEvents.class).broadcast().onChecked(new Checked("fine"));
    assertThat(a.next()).isEqualTo("{\"type\":\"onChecked\",\"payload\":{\"text\":\"fine\"}}");
    a.sync();
  }

  @Test
  void theRoomSetRejectsBadIds() throws InterruptedException {
    BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
    try (ZocketServer s =
        Servers.standard()
            .onDisconnect(
                ctx -> {
                  ctx.rooms().join(""); // any string up to the limit, the empty one too
                  try {
                    ctx.rooms().join("x".repeat(257));
                  } catch (ZocketException e) {
                    failures.add(e);
                  }
                })
            .start()) {
      JdkClient.connect(s.port(), "?user-name=A").close();
      assertThat(failures.poll(10, TimeUnit.SECONDS))
          .hasMessage("A room id may have at most 256 characters; this one has 257");
      assertThat(s.roomCount()).isZero();
    }
  }
}
