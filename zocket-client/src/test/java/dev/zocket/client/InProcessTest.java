package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ZocketException;
import dev.zocket.client.ServerIntegrationTest.Headers;
import dev.zocket.client.ServerIntegrationTest.RoomsHandler;
import dev.zocket.client.TestContracts.JoinRoom;
import dev.zocket.client.TestContracts.Joined;
import dev.zocket.client.TestContracts.Message;
import dev.zocket.client.TestContracts.Post;
import dev.zocket.client.TestContracts.RoomEvents;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.EventRecorder;
import dev.zocket.test.LeakDetection;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The same server and client proxies over Netty's in-JVM local transport: no socket. */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class InProcessTest {
  private static ZocketServer.Builder<Headers, String> server() {
    return ZocketServer.builder()
        .headers(Headers.class)
        .onConnect((headers, clientId) -> headers.userName())
        .handle(Rooms.class, RoomsHandler::new);
  }

  private static ZocketClient.Builder client(ZocketServer server, String name) {
    return ZocketClient.builder(server.uri())
        .header("user-name", name)
        .reconnect(ReconnectPolicy.disabled());
  }

  @Test
  void callsEventsAndRoomsWorkInProcess() {
    EventRecorder<RoomEvents> aliceEvents = EventRecorder.of(RoomEvents.class);
    EventRecorder<RoomEvents> bobEvents = EventRecorder.of(RoomEvents.class);
    try (ZocketServer s = server().inProcess().start();
        ZocketClient alice =
            client(s, "alice").on(RoomEvents.class, aliceEvents.listener()).connect();
        ZocketClient bob = client(s, "bob").on(RoomEvents.class, bobEvents.listener()).connect()) {
      assertThat(s.uri().getScheme()).isEqualTo("local");
      // connect() returns once the upgrade is done; onConnect completes on the server after it.
      Await.until("both connections counted", () -> s.connectionCount() == 2);
      alice.proxy(Rooms.class).join(new JoinRoom("general"));
      assertThat(aliceEvents.next()).isEqualTo(new Joined("general", "alice"));
      bob.proxy(Rooms.class).join(new JoinRoom("general"));
      assertThat(aliceEvents.next()).isEqualTo(new Joined("general", "bob"));
      assertThat(bobEvents.next()).isEqualTo(new Joined("general", "bob"));
      alice.proxy(Rooms.class).post(new Post("general", "hello"));
      Message hello = new Message("general", "alice", "hello");
      assertThat(aliceEvents.next(Message.class)).isEqualTo(hello);
      assertThat(bobEvents.next(Message.class)).isEqualTo(hello);
      assertThat(alice.proxy(Rooms.class).echo("hi")).isEqualTo("hi from alice");
      assertThatThrownBy(() -> alice.proxy(Rooms.class).echo("fail"))
          .isInstanceOf(ZocketException.class)
          .hasMessageContaining("You are not in that room");
      // The server's emitter reaches in-process clients as it reaches any other.
      s.emit(RoomEvents.class).broadcast().onMessage(new Message("-", "server", "bye"));
      assertThat(aliceEvents.next(Message.class).content()).isEqualTo("bye");
      assertThat(bobEvents.next(Message.class).content()).isEqualTo("bye");
    }
  }

  @Test
  void aClosedServerClosesItsClientsAndAClosedClientLeavesTheServer() throws Exception {
    ZocketServer s = server().inProcess("in-process-test").start();
    try {
      assertThat(s.uri()).isEqualTo(URI.create("local://in-process-test/"));
      assertThatThrownBy(s::port).isInstanceOf(IllegalStateException.class);
      ZocketClient alice = client(s, "alice").connect();
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      ZocketClient bob =
          client(s, "bob").onClose((code, reason) -> closed.complete(code)).connect();
      alice.close();
      Await.until("alice's connection ended on the server", () -> s.connectionCount() == 1);
      s.close();
      assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
      bob.close();
    } finally {
      s.close();
    }
  }

  @Test
  void aNameIsTakenByOneServerAtATime() {
    try (ZocketServer s = server().inProcess("taken").start()) {
      assertThatThrownBy(() -> server().inProcess("taken").start())
          .hasMessageContaining("Cannot bind in process taken");
      assertThat(s.connectionCount()).isZero();
    }
    assertThatThrownBy(() -> server().inProcess("not a name"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
