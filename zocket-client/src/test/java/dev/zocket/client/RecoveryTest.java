package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.RawClient;
import jakarta.validation.constraints.NotBlank;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connection-state recovery between the Java client and a real server, through a TCP proxy that
 * cuts the connection mid-stream (a reset, no close frame), as a phone changing networks does.
 */
@Timeout(120)
@ExtendWith(LeakDetection.class)
class RecoveryTest {
  public record Headers(@NotBlank @JsonProperty("user-name") String userName) {}

  public record Room(@NotBlank String roomId) {}

  public record Note(String text) {}

  public record Who(String clientId, String user, String note, Set<String> rooms) {}

  public record Item(int n) {}

  @Namespace("session")
  public interface Sessions {
    void join(Room room);

    void remember(Note note);

    CompletableFuture<Who> who();
  }

  @Namespace("feed")
  public interface Feed {
    default void onItem(Item item) {}
  }

  static final class SessionsHandler implements Sessions {
    private final Context<String> ctx;

    SessionsHandler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(Room room) {
      ctx.rooms().join(room.roomId());
    }

    @Override
    public void remember(Note note) {
      ctx.attribute("note", note.text());
    }

    @Override
    public CompletableFuture<Who> who() {
      return CompletableFuture.completedFuture(
          new Who(
              ctx.clientId(),
              ctx.user(),
              (String) ctx.attribute("note"),
              new TreeSet<>(ctx.rooms().current())));
    }
  }

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();
  private final AtomicInteger connects = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ZocketServer server(Duration window, int maxEvents) {
    ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .headers(Headers.class)
            .onConnect(
                (h, id) -> {
                  connects.incrementAndGet();
                  return h.userName();
                })
            .onDisconnect(ctx -> disconnected.add(ctx.clientId()))
            .handle(Sessions.class, SessionsHandler::new)
            .recovery(window, maxEvents)
            .start();
    closing.add(server);
    return server;
  }

  /** What a client saw: every item, and whether each open resumed the session. */
  private static final class Seen implements Feed {
    final List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    final BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();

    @Override
    public void onItem(Item item) {
      items.add(item.n());
    }
  }

  private ZocketClient client(CuttingProxy proxy, Seen seen, String room) {
    ZocketClient client =
        ZocketClient.builder(proxy.wsUri())
            .header("user-name", "alice")
            .on(Feed.class, seen)
            .reconnect(
                ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(100))
                    .withMaxAttempts(1_000))
            .onOpen(
                c -> {
                  boolean recovered = c.recovered();
                  seen.opens.add(recovered);
                  if (!recovered) {
                    c.proxy(Sessions.class).join(new Room(room));
                  }
                })
            .connect();
    closing.add(client);
    return client;
  }

  private static Who who(ZocketClient client) {
    return client.proxy(Sessions.class).who().orTimeout(10, TimeUnit.SECONDS).join();
  }

  /**
   * The acceptance run: 10,000 room events, the connection cut 20 times, nothing lost or doubled.
   */
  @Test
  void tenThousandEventsThroughTwentyCutsArriveOnceAndInOrder() throws Exception {
    ZocketServer server = server(Duration.ofSeconds(60), 20_000);
    Joined joined = joined(server);
    CuttingProxy proxy = joined.proxy();
    Seen seen = joined.seen();
    ZocketClient client = joined.client();
    client.proxy(Sessions.class).remember(new Note("kept"));
    Who before = who(client); // handled after remember: one connection's messages run in order

    int total = 10_000;
    int cuts = 20;
    Thread sender =
        new Thread(
            () -> {
              for (int i = 0; i < total; i++) {
                server.emit(Feed.class).toRoom("news").onItem(new Item(i));
                if (i % 50 == 49) {
                  sleep(1); // spread over the cuts
                }
              }
            },
            "sender");
    sender.start();
    int cut = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (cut < cuts && System.nanoTime() < deadline) {
      int target = (cut + 1) * total / (cuts + 1);
      Await.until(
          "item " + target + " arrived", Duration.ofSeconds(30), () -> seen.items.size() >= target);
      Await.until("a connection to cut", Duration.ofSeconds(30), () -> proxy.cut() > 0);
      cut++;
      assertThat(Await.next("a reopening after cut " + cut, seen.opens))
          .as("recovered after cut %d", cut)
          .isTrue();
    }
    sender.join(TimeUnit.SECONDS.toMillis(60));
    server.emit(Feed.class).toRoom("news").onItem(new Item(-1)); // the marker
    Await.until("the marker", Duration.ofSeconds(30), () -> seen.items.contains(-1));

    assertThat(cut).isEqualTo(cuts);
    assertThat(seen.opens).isEmpty(); // one open per cut, each of them resumed
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add(i);
    }
    expected.add(-1);
    synchronized (seen.items) {
      assertThat(seen.items).containsExactlyElementsOf(expected);
    }
    assertThat(who(client)).isEqualTo(before);
    assertThat(before.note()).isEqualTo("kept");
    assertThat(before.user()).isEqualTo("alice");
    assertThat(connects).hasValue(1); // onConnect ran for the first connection only
    assertThat(disconnected).isEmpty();
    assertThat(proxy.accepted()).isEqualTo(cuts + 1);
  }

  /** A client of {@code server} through a proxy, joined to the room "news". */
  private record Joined(CuttingProxy proxy, Seen seen, ZocketClient client, String clientId) {}

  private Joined joined(ZocketServer server) throws Exception {
    CuttingProxy proxy = CuttingProxy.start(server.port());
    closing.add(proxy);
    Seen seen = new Seen();
    ZocketClient client = client(proxy, seen, "news");
    assertThat(Await.next("the first open", seen.opens)).isFalse();
    Await.until("the room is joined", () -> who(client).rooms().contains("news"));
    return new Joined(proxy, seen, client, who(client).clientId());
  }

  /** Cuts the client's connection and keeps it away: its reconnects reach nothing, and fail. */
  private static void cutAndKeepAway(CuttingProxy proxy) throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once closed
    }
    proxy.target(closedPort);
    proxy.cut();
  }

  @Test
  void aClientBackAfterTheWindowStartsAfreshAndIsTold() throws Exception {
    ZocketServer server = server(Duration.ofMillis(300), 1_000);
    Joined c = joined(server);
    cutAndKeepAway(c.proxy());
    // The session ends when the window has passed: onDisconnect runs for it, once.
    assertThat(Await.next("onDisconnect at the end of the window", disconnected))
        .isEqualTo(c.clientId());
    c.proxy().target(server.port());

    assertThat(Await.next("the reopening", c.seen().opens)).isFalse();
    Await.until("the room is joined again", () -> who(c.client()).rooms().contains("news"));
    assertThat(who(c.client()).clientId()).isNotEqualTo(c.clientId());
    assertThat(connects).hasValue(2);
  }

  @Test
  void aClientThatMissedMoreEventsThanAreKeptStartsAfresh() throws Exception {
    ZocketServer server = server(Duration.ofSeconds(60), 10);
    Joined c = joined(server);
    cutAndKeepAway(c.proxy());
    Await.until("the connection is gone", () -> server.connectionCount() == 0);
    for (int i = 0; i < 50; i++) {
      server.emit(Feed.class).toRoom("news").onItem(new Item(i));
    }
    c.proxy().target(server.port());

    assertThat(Await.next("the reopening", c.seen().opens)).isFalse();
    assertThat(Await.next("onDisconnect of the session given up", disconnected))
        .isEqualTo(c.clientId());
    Await.until("the room is joined again", () -> who(c.client()).rooms().contains("news"));
    assertThat(who(c.client()).clientId()).isNotEqualTo(c.clientId());
    server.emit(Feed.class).toRoom("news").onItem(new Item(-1));
    Await.until("the marker", () -> c.seen().items.contains(-1));
    assertThat(c.seen().items).containsExactly(-1); // the lost events are not pretended
  }

  @Test
  void aDeliberateCloseEndsTheSessionAtOnce() throws Exception {
    Joined c = joined(server(Duration.ofSeconds(60), 100));
    c.client().close();
    assertThat(Await.next("onDisconnect after close()", disconnected)).isEqualTo(c.clientId());
  }

  @Test
  void aClientWithoutRecoveryGetsNoSessionMessageAndEventsWithAPosition() throws Exception {
    ZocketServer server = server(Duration.ofSeconds(60), 100);
    try (RawClient raw = RawClient.connect(server.port(), "/?user-name=bob")) {
      raw.sendText("{\"type\":\"session.join\",\"payload\":{\"roomId\":\"news\"}}");
      raw.sendText("{\"type\":\"session.who\",\"rpcId\":\"1\"}");
      String first = raw.read().text();
      assertThat(first).startsWith("{\"type\":\"__rpc_res\"").contains("\"rpcId\":\"1\"");
      server.emit(Feed.class).toRoom("news").onItem(new Item(7));
      assertThat(raw.read().text())
          .matches("\\{\"type\":\"feed.onItem\",\"payload\":\\{\"n\":7},\"pos\":\"[0-9]+\"}");
    }
  }

  @Test
  void aServerWithoutRecoverySaysItKeepsNoSession() throws Exception {
    ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .onConnect((h, id) -> id)
            .handle(Sessions.class, SessionsHandler::new)
            .start();
    closing.add(server);
    try (RawClient raw = RawClient.connect(server.port(), "/?x-zocket-recovery=1")) {
      assertThat(raw.read().text())
          .isEqualTo(
              "{\"type\":\"__session\",\"payload\":{\"session\":null,\"pos\":null,"
                  + "\"recovered\":false}}");
    }
  }

  @Test
  void theSessionMessageComesFirstAndTheTokenStaysOutOfTheHeaders() throws Exception {
    BlockingQueue<Map<String, String>> seenHeaders = new LinkedBlockingQueue<>();
    ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .onConnect(
                (h, id) -> {
                  seenHeaders.add(h);
                  return id;
                })
            .handle(Sessions.class, ctx -> new SessionsHandler(null))
            .recovery(Duration.ofSeconds(60), 100)
            .start();
    closing.add(server);
    try (RawClient raw =
        RawClient.connect(
            server.port(), "/?x-zocket-recovery=1&x-zocket-session=guess&x-zocket-pos=0")) {
      assertThat(raw.read().text())
          .matches(
              "\\{\"type\":\"__session\",\"payload\":\\{\"session\":\"[A-Za-z0-9_-]{22}\","
                  + "\"pos\":\"0\",\"recovered\":false}}");
    }
    assertThat(Await.next("the headers", seenHeaders))
        .containsEntry("x-zocket-recovery", "1")
        .doesNotContainKey("x-zocket-session");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
