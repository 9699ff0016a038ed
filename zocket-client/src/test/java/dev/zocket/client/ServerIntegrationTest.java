package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.Context;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
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
import dev.zocket.testsupport.Unmappable.Unbuildable;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The client against a real {@link ZocketServer} on 127.0.0.1. */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class ServerIntegrationTest {
  /** The handshake headers of the test server. */
  public record Headers(@NotBlank @JsonProperty("user-name") String userName) {}

  /** The server's side of {@link Rooms}; the user context is the user's name. */
  static final class RoomsHandler implements Rooms {
    private final Context<String> ctx;

    RoomsHandler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(JoinRoom request) {
      ctx.rooms().join(request.roomId());
      ctx.emit(RoomEvents.class)
          .toRoom(request.roomId())
          .onJoin(new Joined(request.roomId(), ctx.user()));
    }

    @Override
    public void leaveAll() {
      for (String room : Set.copyOf(ctx.rooms().current())) {
        ctx.rooms().leave(room);
      }
    }

    @Override
    public void post(Post post) {
      if (ctx.rooms().has(post.roomId())) {
        ctx.emit(RoomEvents.class)
            .toRoom(post.roomId())
            .onMessage(new Message(post.roomId(), ctx.user(), post.content()));
      }
    }

    @Override
    public CompletableFuture<List<String>> members(JoinRoom room) {
      return CompletableFuture.completedFuture(List.of(ctx.user(), room.roomId()));
    }

    @Override
    public CompletionStage<Void> touch() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public String echo(String text) {
      return switch (text) {
        case "fail" -> throw new ZocketException("NOT_A_MEMBER", "You are not in that room");
        case "crash" -> throw new IllegalStateException("secret internals");
        default -> text + " from " + ctx.user();
      };
    }

    @Override
    public int count() {
      return ctx.rooms().current().size();
    }

    @Override
    public CompletableFuture<String> slow() {
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<String> hang() {
      return new CompletableFuture<>();
    }
  }

  private final List<ZocketServer> servers = new ArrayList<>();
  private final List<ZocketClient> clients = new ArrayList<>();
  private ZocketServer server;

  @BeforeEach
  void start() {
    server = startServer(0);
  }

  @AfterEach
  void stop() {
    clients.forEach(ZocketClient::close);
    servers.forEach(ZocketServer::close);
  }

  private ZocketServer startServer(int port) {
    ZocketServer s =
        ZocketServer.builder()
            .headers(Headers.class)
            .onConnect((headers, clientId) -> headers.userName())
            .handle(Rooms.class, RoomsHandler::new)
            .host("127.0.0.1")
            .port(port)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
    servers.add(s);
    return s;
  }

  private URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port);
  }

  private ZocketClient.Builder builder(String name) {
    return builder(name, EventRecorder.of(RoomEvents.class));
  }

  private ZocketClient.Builder builder(String name, EventRecorder<RoomEvents> events) {
    return ZocketClient.builder(uri(server.port()))
        .header("user-name", name)
        .reconnect(ReconnectPolicy.disabled())
        .on(RoomEvents.class, events.listener());
  }

  private ZocketClient track(ZocketClient client) {
    clients.add(client);
    return client;
  }

  private static Object next(BlockingQueue<Object> callbacks) {
    return Await.next("a callback", callbacks);
  }

  private static ZocketException failure(CompletableFuture<?> future) {
    try {
      future.get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (ZocketException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call did not fail");
  }

  @Test
  void typedCallsSyncAndAsync() throws Exception {
    ZocketClient client = track(builder("alice").connect());
    Rooms rooms = client.proxy(Rooms.class);
    assertThat(rooms.members(new JoinRoom("general")).get(5, TimeUnit.SECONDS))
        .containsExactly("alice", "general");
    assertThat(rooms.touch().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    assertThat(rooms.echo("hi")).isEqualTo("hi from alice");
    rooms.join(new JoinRoom("a"));
    rooms.join(new JoinRoom("b"));
    assertThat(rooms.count()).isEqualTo(2);
    assertThat(rooms.greet("bob")).isEqualTo("hello bob");
  }

  @Test
  void clientsCanShareAnEventLoopGroup() throws Exception {
    io.netty.channel.EventLoopGroup shared =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      EventRecorder<RoomEvents> bobEvents = EventRecorder.of(RoomEvents.class);
      ZocketClient alice = builder("alice").eventLoopGroup(shared).connect();
      ZocketClient bob = builder("bob", bobEvents).eventLoopGroup(shared).connect();
      bob.proxy(Rooms.class).join(new JoinRoom("general"));
      assertThat(bobEvents.next()).isEqualTo(new Joined("general", "bob"));
      alice.proxy(Rooms.class).join(new JoinRoom("general"));
      alice.proxy(Rooms.class).post(new Post("general", "hi"));
      assertThat(bobEvents.next()).isEqualTo(new Joined("general", "alice"));
      assertThat(bobEvents.next()).isEqualTo(new Message("general", "alice", "hi"));
      alice.close();
      assertThat(shared.isShuttingDown()).isFalse();
      assertThat(bob.proxy(Rooms.class).echo("still")).isEqualTo("still from bob");
      bob.close();
      assertThat(shared.isShuttingDown()).isFalse();
    } finally {
      shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void errorRepliesBecomeExceptions() {
    ZocketClient client = track(builder("alice").connect());
    Rooms rooms = client.proxy(Rooms.class);
    assertThatThrownBy(() -> rooms.echo("fail"))
        .isInstanceOf(ZocketException.class)
        .hasMessage("You are not in that room")
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo("NOT_A_MEMBER");
    assertThatThrownBy(() -> rooms.echo("crash"))
        .isInstanceOf(ZocketException.class)
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo(ErrorCodes.INTERNAL);

    ZocketClient unchecked = track(builder("bob").validatePayloads(false).connect());
    ZocketException invalid = failure(unchecked.proxy(Rooms.class).members(new JoinRoom("")));
    // The type a local validation throws, whichever side found the problem.
    assertThat(invalid).isInstanceOf(InvalidPayloadException.class);
    assertThat(invalid.code()).isEqualTo(ErrorCodes.INVALID_PAYLOAD);
    assertThat(invalid.details()).containsExactly(new Violation("roomId", "must not be blank"));
  }

  interface SendsUnbuildable {
    void send(Unbuildable u);
  }

  @Test
  void aProxyOfAContractWhoseTypeJacksonCannotMapIsRefused() {
    ZocketClient client = track(builder("alice").connect());
    assertThatThrownBy(() -> client.proxy(SendsUnbuildable.class))
        .isInstanceOf(dev.zocket.ContractException.class)
        .hasMessageContaining("Unbuildable has no constructor Jackson can use")
        .hasMessageEndingWith("for method SendsUnbuildable.send (parameter 'u')");
  }

  @Test
  void localValidationFailsAtTheCallSite() throws Exception {
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    ZocketClient client = track(builder("alice", events).connect());
    Rooms rooms = client.proxy(Rooms.class);
    assertThatThrownBy(() -> rooms.join(new JoinRoom("")))
        .isInstanceOf(InvalidPayloadException.class)
        .hasMessage("Invalid payload for rooms.join");
    assertThatThrownBy(() -> rooms.members(new JoinRoom("")))
        .isInstanceOf(InvalidPayloadException.class);
    rooms.join(new JoinRoom("general"));
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));
    assertThat(rooms.count()).isEqualTo(1);
  }

  @Test
  void callsTimeOut() {
    ZocketClient client = track(builder("alice").callTimeout(Duration.ofMillis(300)).connect());
    Rooms rooms = client.proxy(Rooms.class);
    ZocketException perMethod = failure(rooms.slow());
    assertThat(perMethod.code()).isEqualTo(ErrorCodes.TIMEOUT);
    assertThat(perMethod.getMessage()).isEqualTo("No reply to rooms.slow within 200 ms");
    ZocketException perClient = failure(rooms.hang());
    assertThat(perClient.getMessage()).isEqualTo("No reply to rooms.hang within 300 ms");
    assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
  }

  @Test
  void pendingCallsFailWhenTheServerGoesAway() throws Exception {
    BlockingQueue<Object> closes = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(builder("alice").onClose((code, reason) -> closes.add(code)).connect());
    Rooms rooms = client.proxy(Rooms.class);
    List<CompletableFuture<String>> calls = List.of(rooms.hang(), rooms.hang(), rooms.hang());
    assertThat(rooms.echo("sync")).isEqualTo("sync from alice"); // the hangs have arrived
    server.close();
    for (CompletableFuture<String> call : calls) {
      assertThat(failure(call).code()).isEqualTo(ErrorCodes.DISCONNECTED);
    }
    assertThat(next(closes)).isEqualTo(1001);
    assertThat(client.state()).isEqualTo(ZocketClient.State.CLOSED);
  }

  @Test
  void eventsArriveInOrder() throws Exception {
    EventRecorder<RoomEvents> aliceEvents = EventRecorder.of(RoomEvents.class);
    EventRecorder<RoomEvents> bobEvents = EventRecorder.of(RoomEvents.class);
    ZocketClient alice = track(builder("alice", aliceEvents).connect());
    ZocketClient bob = track(builder("bob", bobEvents).connect());
    alice.proxy(Rooms.class).join(new JoinRoom("general"));
    assertThat(aliceEvents.next()).isEqualTo(new Joined("general", "alice"));
    bob.proxy(Rooms.class).join(new JoinRoom("general"));
    assertThat(aliceEvents.next()).isEqualTo(new Joined("general", "bob"));
    assertThat(bobEvents.next()).isEqualTo(new Joined("general", "bob"));
    Rooms rooms = alice.proxy(Rooms.class);
    for (int i = 0; i < 200; i++) {
      rooms.post(new Post("general", "m" + i));
    }
    for (int i = 0; i < 200; i++) {
      assertThat(bobEvents.next()).isEqualTo(new Message("general", "alice", "m" + i));
      assertThat(aliceEvents.next()).isEqualTo(new Message("general", "alice", "m" + i));
    }
    // Nothing else came: a post made now is the next event of each.
    rooms.post(new Post("general", "end"));
    assertThat(bobEvents.next()).isEqualTo(new Message("general", "alice", "end"));
    assertThat(aliceEvents.next()).isEqualTo(new Message("general", "alice", "end"));
  }

  @Test
  void reconnectsToANewServerOnTheSamePortAndRejoinsInOnOpen() throws Exception {
    int port = server.port();
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    BlockingQueue<Object> lifecycle = new LinkedBlockingQueue<>();
    ZocketClient alice =
        track(
            builder("alice", events)
                .reconnect(
                    ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200)))
                .onOpen(
                    c -> {
                      lifecycle.add("open");
                      c.proxy(Rooms.class).join(new JoinRoom("general"));
                    })
                .onClose((code, reason) -> lifecycle.add("close " + code))
                .connect());
    assertThat(next(lifecycle)).isEqualTo("open");
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));

    server.close();
    assertThat(next(lifecycle)).isEqualTo("close 1001");
    server = startServer(port);
    assertThat(next(lifecycle)).isEqualTo("open");
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));
    assertThat(alice.state()).isEqualTo(ZocketClient.State.OPEN);

    EventRecorder<RoomEvents> bobEvents = EventRecorder.of(RoomEvents.class);
    ZocketClient bob = track(builder("bob", bobEvents).connect());
    bob.proxy(Rooms.class).join(new JoinRoom("general"));
    bob.proxy(Rooms.class).post(new Post("general", "welcome back"));
    assertThat(events.next()).isEqualTo(new Joined("general", "bob"));
    assertThat(events.next()).isEqualTo(new Message("general", "bob", "welcome back"));
    assertThat(alice.proxy(Rooms.class).count()).isEqualTo(1);
  }

  @Test
  void theFirstConnectRetriesWhenAskedUntilTheServerStarts() throws Exception {
    int port = server.port();
    server.close();
    BlockingQueue<Object> errors = new LinkedBlockingQueue<>();
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    CompletableFuture<ZocketClient> connecting =
        builder("alice", events)
            .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(40)))
            .retryFirstConnect(true)
            .onError(errors::add)
            .onOpen(c -> c.proxy(Rooms.class).join(new JoinRoom("general")))
            .connectAsync();
    // Two failed attempts are reported while the server is down; the client keeps trying.
    for (int i = 0; i < 2; i++) {
      ZocketException e = (ZocketException) next(errors);
      assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED);
      assertThat(e.getMessage()).startsWith("Could not connect to ws://127.0.0.1:" + port);
    }
    assertThat(connecting).isNotDone();
    server = startServer(port);
    ZocketClient alice = track(connecting.get(10, TimeUnit.SECONDS));
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));
    assertThat(alice.state()).isEqualTo(ZocketClient.State.OPEN);
  }

  @Test
  void withoutRetryTheFirstFailedConnectFails() {
    int port = server.port();
    server.close();
    assertThatThrownBy(() -> builder("alice").connect())
        .isInstanceOfSatisfying(
            ZocketException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED);
              assertThat(e.getMessage()).startsWith("Could not connect to ws://127.0.0.1:" + port);
            });
  }

  @Test
  void aRetriedFirstConnectThatGivesUpFailsWithTheLastError() {
    int port = server.port();
    server.close();
    assertThatThrownBy(
            () ->
                builder("alice")
                    .reconnect(
                        ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(20))
                            .withMaxAttempts(2))
                    .retryFirstConnect(true)
                    .connect())
        .isInstanceOfSatisfying(
            ZocketException.class,
            e ->
                assertThat(e.getMessage())
                    .isEqualTo("Gave up reconnecting to " + uri(port) + " after 2 attempts"));
  }

  @Test
  void backoffGrowsWithinBoundsThenGivesUp() throws Exception {
    ReconnectPolicy policy =
        ReconnectPolicy.exponential(Duration.ofMillis(40), Duration.ofMillis(160))
            .withMaxAttempts(4);
    BlockingQueue<Object> errors = new LinkedBlockingQueue<>();
    Logger log = (Logger) LoggerFactory.getLogger(ZocketClient.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = log.getLevel();
    log.setLevel(Level.INFO);
    log.addAppender(appender);
    try {
      ZocketClient client =
          track(builder("alice").reconnect(policy).onError(errors::add).connect());
      server.close();
      for (int i = 0; i < 4; i++) {
        ZocketException e = (ZocketException) next(errors);
        assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED);
        assertThat(e.getMessage()).startsWith("Could not connect to ws://127.0.0.1:");
      }
      ZocketException gaveUp = (ZocketException) next(errors);
      assertThat(gaveUp.getMessage())
          .isEqualTo("Gave up reconnecting to " + uri(server.port()) + " after 4 attempts");
      assertThat(client.state()).isEqualTo(ZocketClient.State.CLOSED);
    } finally {
      log.detachAppender(appender);
      log.setLevel(level);
    }
    // The delays the client chose: attempt n waits within [base/2, base), base 40, 80, 160, 160.
    Pattern scheduled = Pattern.compile("Reconnecting to .* in (\\d+) ms \\(attempt (\\d+)\\)");
    List<long[]> delays = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(appender.list)) {
      Matcher m = scheduled.matcher(event.getFormattedMessage());
      if (m.matches()) {
        delays.add(new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))});
      }
    }
    long[] bases = {40, 80, 160, 160};
    assertThat(delays).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(delays.get(i)[0]).isEqualTo(i + 1);
      assertThat(delays.get(i)[1]).isBetween(bases[i] / 2, bases[i] - 1);
    }
  }

  @Test
  void sendsWhileDisconnectedFollowThePolicy() throws Exception {
    int port = server.port();
    EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
    BlockingQueue<Object> lifecycle = new LinkedBlockingQueue<>();
    ZocketClient alice =
        track(
            builder("alice", events)
                .reconnect(
                    ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(100)))
                .whileDisconnected(
                    WhileDisconnected.buffer(2, WhileDisconnected.Overflow.DROP_OLDEST))
                .onOpen(c -> c.proxy(Rooms.class).join(new JoinRoom("general")))
                .onClose((code, reason) -> lifecycle.add("close"))
                .connect());
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));
    server.close();
    assertThat(next(lifecycle)).isEqualTo("close");
    Rooms rooms = alice.proxy(Rooms.class);
    for (int i = 1; i <= 3; i++) {
      rooms.post(new Post("general", "offline " + i));
    }
    assertThat(failure(rooms.hang()).code()).isEqualTo(ErrorCodes.DISCONNECTED);

    server = startServer(port);
    // Alice rejoins in onOpen, then her buffered posts go out; the oldest was dropped. The room
    // echoes her own posts back to her.
    assertThat(events.next()).isEqualTo(new Joined("general", "alice"));
    assertThat(events.next()).isEqualTo(new Message("general", "alice", "offline 2"));
    assertThat(events.next()).isEqualTo(new Message("general", "alice", "offline 3"));
    // Nothing else was sent: a post made now is the next event.
    rooms.post(new Post("general", "now"));
    assertThat(events.next()).isEqualTo(new Message("general", "alice", "now"));
  }

  @Test
  void sendsWhileDisconnectedFailByDefault() throws Exception {
    BlockingQueue<Object> lifecycle = new LinkedBlockingQueue<>();
    ZocketClient alice =
        track(
            builder("alice")
                .reconnect(
                    ReconnectPolicy.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .onClose((code, reason) -> lifecycle.add("close"))
                .connect());
    server.close();
    assertThat(next(lifecycle)).isEqualTo("close");
    assertThat(alice.state()).isEqualTo(ZocketClient.State.RECONNECTING);
    assertThatThrownBy(() -> alice.proxy(Rooms.class).post(new Post("general", "x")))
        .isInstanceOf(ZocketException.class)
        .hasMessage("Not connected; rooms.post was not sent");
  }

  @Test
  void rejectedHandshakeCarriesTheServersBody() {
    assertThatThrownBy(() -> builder("").connect())
        .isInstanceOf(HandshakeRejectedException.class)
        .hasMessage(
            "Server rejected the WebSocket handshake with HTTP 400 Bad Request: "
                + "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\","
                + "\"message\":\"must not be blank\"}]}")
        .extracting(t -> ((ZocketException) t).details())
        .isEqualTo(List.of(new Violation("user-name", "must not be blank")));
  }
}
