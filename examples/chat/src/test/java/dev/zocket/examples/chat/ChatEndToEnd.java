package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zocket.ZocketException;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The chat end to end, whatever server runs it: driven by several real Java clients, checking every
 * behaviour of the seed ({@code chat-rooms.md}) plus {@code rooms.members}, the per-address limit
 * and the page over HTTP on a real port. A subclass says how to start the chat under test: {@code
 * ChatServerTest} runs {@link ChatServer}, {@code examples/chat-spring} its Spring Boot
 * application, so both pass the same tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ChatEndToEnd {
  static {
    // Before a subclass's server allocates its first buffer (a Spring context starts before
    // @BeforeEach).
    LeakDetection.install();
  }

  /**
   * A running chat.
   *
   * @param uri where clients reach it: {@code ws://127.0.0.1:port/}, or {@code local://...} in
   *     process
   * @param stop stops it (called once, after the test)
   */
  public record RunningChat(URI uri, AutoCloseable stop) implements AutoCloseable {
    /** The port it listens on, or -1 in process. */
    public int port() {
      return uri.getPort();
    }

    @Override
    public void close() throws Exception {
      stop.close();
    }
  }

  /** Starts the chat under test, on any transport its clients reach; before each test. */
  protected abstract RunningChat startChat() throws Exception;

  /**
   * A chat listening on a port of 127.0.0.1, for what only a socket shows (the per-address limit,
   * the page): a new one, or the one {@link #startChat()} started when that listens on a port (then
   * with a {@code stop} that does nothing).
   */
  protected abstract RunningChat startChatOnPort() throws Exception;

  /**
   * The classes whose loggers write the chat's notices: the disconnect line (info) and the posts
   * refused for not joining (debug). The tests read them at debug, and only the tests do.
   */
  protected abstract List<Class<?>> noticeLoggers();

  private final List<ChatMember> members = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private RunningChat server;
  private URI url;

  @BeforeEach
  void start() throws Exception {
    LeakDetection.install();
    logs.start();
    for (Class<?> notices : noticeLoggers()) {
      logger(notices).addAppender(logs);
      // Its notices at debug too, to the appender only.
      logger(notices).setLevel(Level.DEBUG);
      logger(notices).setAdditive(false);
    }
    server = startChat();
    url = server.uri();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (int i = 0; i < members.size(); i++) {
        members.get(i).assertNoMoreEvents("end of test " + i);
      }
    } finally {
      members.forEach(ChatMember::close);
      server.close();
      for (Class<?> notices : noticeLoggers()) {
        logger(notices).detachAppender(logs);
        logger(notices).setLevel(null);
        logger(notices).setAdditive(true);
      }
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aJoinIsAnnouncedToEveryMemberIncludingTheJoiner() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");

    alice.rooms.join(new RoomId("general"));
    assertThat(alice.next()).isEqualTo(new Joined("general", "Alice"));

    bob.rooms.join(new RoomId("general"));
    assertThat(bob.next()).isEqualTo(new Joined("general", "Bob"));
    assertThat(alice.next()).isEqualTo(new Joined("general", "Bob"));
  }

  @Test
  void aMessageReachesEveryMemberWithAMillisecondTimestamp() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");
    alice.joinAndWait("general");
    bob.joinAndWait("general");
    assertThat(alice.next()).isEqualTo(new Joined("general", "Bob"));

    alice.post("general", "Hello, room");

    ChatMessage toAlice = alice.nextMessage("general", "Alice", "Hello, room");
    ChatMessage toBob = bob.nextMessage("general", "Alice", "Hello, room");
    assertThat(toAlice.timestamp()).isNotNull().isEqualTo(toBob.timestamp());
    assertThat(toAlice.timestamp().truncatedTo(ChronoUnit.MILLIS)).isEqualTo(toAlice.timestamp());
  }

  @Test
  void onlyMembersMayPost() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember mallory = connect("Mallory");
    alice.joinAndWait("general");

    mallory.post("general", "let me in");
    // Mallory's messages are handled in order: had the post gone through, Alice would see it
    // before Mallory's join notice.
    mallory.rooms.join(new RoomId("general"));
    assertThat(alice.next()).isEqualTo(new Joined("general", "Mallory"));
    assertThat(mallory.next()).isEqualTo(new Joined("general", "Mallory"));
    assertThat(messages())
        .anyMatch(
            m -> m.contains("Mallory") && m.contains("without joining") && m.contains("general"));
  }

  @Test
  void postsToARoomNotJoinedCannotFloodTheLog() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember mallory = connect("Mallory");
    alice.joinAndWait("general");

    int posts = 2_000;
    for (int i = 0; i < posts; i++) {
      mallory.post("general", "spam " + i);
      if (i % 200 == 0) {
        alice.post("general", "still here " + i / 200);
      }
    }
    // Alice's own messages all arrived, in order.
    int own = posts / 200;
    List<Object> seen =
        alice.until(
            e -> e instanceof ChatMessage m && m.content().equals("still here " + (own - 1)),
            posts + own);
    assertThat(seen)
        .extracting(e -> ((ChatMessage) e).userName() + ": " + ((ChatMessage) e).content())
        .containsExactly(
            IntStream.range(0, own).mapToObj(i -> "Alice: still here " + i).toArray(String[]::new));
    // None of Mallory's posts: had one gone through, Alice would see it before Mallory's join.
    mallory.rooms.join(new RoomId("general"));
    assertThat(mallory.next()).isEqualTo(new Joined("general", "Mallory"));
    assertThat(alice.next()).isEqualTo(new Joined("general", "Mallory"));
    // Mallory's join was handled after all her posts: each was logged, at debug only.
    assertThat(lines(Level.INFO)).noneMatch(m -> m.contains("without joining"));
    assertThat(
            lines(Level.DEBUG).stream()
                .filter(m -> m.contains("Mallory") && m.contains("without joining")))
        .hasSize(posts);
  }

  @Test
  void aLeaveIsAnnouncedToTheRoomIncludingTheLeaver() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");
    alice.joinAndWait("general");
    bob.joinAndWait("general");
    assertThat(alice.next()).isEqualTo(new Joined("general", "Bob"));
    bob.joinAndWait("lobby");

    bob.rooms.leave(new RoomId("general"));
    assertThat(bob.next()).isEqualTo(new Left("general", "Bob"));
    assertThat(alice.next()).isEqualTo(new Left("general", "Bob"));

    // After leaving, Bob no longer hears the room: Alice's post comes before her lobby join.
    alice.post("general", "Bob is gone");
    alice.rooms.join(new RoomId("lobby"));
    assertThat(bob.next()).isEqualTo(new Joined("lobby", "Alice"));
    alice.nextMessage("general", "Alice", "Bob is gone");
    assertThat(alice.next()).isEqualTo(new Joined("lobby", "Alice"));
  }

  @Test
  void roomsAreIsolated() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");
    alice.joinAndWait("red");
    bob.joinAndWait("blue");
    alice.joinAndWait("both");
    bob.joinAndWait("both");
    assertThat(alice.next()).isEqualTo(new Joined("both", "Bob"));

    alice.post("red", "red only");
    bob.post("blue", "blue only");
    alice.post("both", "from Alice");
    bob.post("both", "from Bob");

    // Each sender's events arrive in order, so anything leaking from the other room would come
    // before that sender's message to "both".
    List<Object> toAlice = new ArrayList<>();
    List<Object> toBob = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      toAlice.add(alice.next());
      toBob.add(bob.next());
    }
    assertThat(toAlice)
        .extracting(e -> ((ChatMessage) e).roomId() + ":" + ((ChatMessage) e).content())
        .containsExactlyInAnyOrder("red:red only", "both:from Alice", "both:from Bob");
    assertThat(toBob)
        .extracting(e -> ((ChatMessage) e).roomId() + ":" + ((ChatMessage) e).content())
        .containsExactlyInAnyOrder("blue:blue only", "both:from Alice", "both:from Bob");
  }

  @Test
  void aDisconnectIsLoggedWithTheRoomsAndCleanedUp() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");
    alice.joinAndWait("general");
    bob.joinAndWait("general");
    assertThat(alice.next()).isEqualTo(new Joined("general", "Bob"));
    bob.joinAndWait("lobby");
    assertThat(alice.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .containsExactly("Alice", "Bob");

    bob.close();
    members.remove(bob);

    Await.until(
        "general to hold only Alice",
        () ->
            alice
                .rooms
                .members(new RoomId("general"))
                .orTimeout(10, TimeUnit.SECONDS)
                .join()
                .equals(List.of("Alice")));
    // The rooms are left as the connection closes, on its I/O thread; the disconnect is logged
    // after, on the handler executor: the line may come after general has only Alice.
    Await.until(
        "Bob's disconnect logged with his rooms",
        () ->
            messages().stream()
                .anyMatch(
                    m ->
                        m.startsWith("Bob (")
                            && m.contains("disconnected from rooms")
                            && m.contains("general")
                            && m.contains("lobby")));

    alice.post("general", "still here");
    alice.nextMessage("general", "Alice", "still here");
  }

  @Test
  void aClientWithoutANameIsAnonymous() throws Exception {
    ChatMember anonymous = connect(null);
    anonymous.rooms.join(new RoomId("general"));
    assertThat(anonymous.next()).isEqualTo(new Joined("general", "Anonymous"));
    assertThat(anonymous.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .containsExactly("Anonymous");
  }

  @Test
  void membersListsTheNamesOfTheRoom() throws Exception {
    ChatMember bob = connect("Bob");
    ChatMember alice = connect("Alice");
    ChatMember carol = connect("Carol");
    bob.joinAndWait("general");
    alice.joinAndWait("general");
    assertThat(bob.next()).isEqualTo(new Joined("general", "Alice"));
    carol.joinAndWait("lobby");

    assertThat(bob.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .containsExactly("Alice", "Bob");
    assertThat(carol.rooms.members(new RoomId("lobby")).get(10, TimeUnit.SECONDS))
        .containsExactly("Carol");
  }

  @Test
  void membersOfARoomTheCallerIsNotInIsAnError() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember carol = connect("Carol");
    alice.joinAndWait("general");

    assertThatThrownBy(() -> carol.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            ZocketException.class,
            e -> {
              assertThat(e.code()).isEqualTo(RoomsHandler.NOT_A_MEMBER);
              assertThat(e.getMessage()).isEqualTo("You are not in room general");
            });
  }

  @Test
  void anyNameIsAcceptedAsTheSeedDoes() throws Exception {
    String longName = "x".repeat(200);
    ChatMember named = connect(longName);
    named.joinAndWait("general");
    ChatMember blank = connect(" ");
    blank.joinAndWait("general");
    assertThat(named.next()).isEqualTo(new Joined("general", " "));
  }

  @Test
  void anyStringRoundTripsExactlyAsRoomIdAndContent() throws Exception {
    ChatMember alice = connect("Alice");
    ChatMember bob = connect("Bob");
    List<String> rooms = List.of("", " ", "\t", "\u0007bell", "🏠 home", "r".repeat(1000));
    for (String room : rooms) {
      alice.joinAndWait(room);
      bob.joinAndWait(room);
      assertThat(alice.next()).isEqualTo(new Joined(room, "Bob"));
    }
    List<String> contents =
        List.of(
            "",
            " ",
            "   \t\r\n ",
            "nul \u0000, escape \u001b[31m, del \u007f",
            "👋🏽 héllo, 你好, \uD83D\uDE00",
            "\"quoted\" \\ back\\slash </script>",
            "m".repeat(60_000));
    for (String room : rooms) {
      for (String content : contents) {
        alice.post(room, content);
        alice.nextMessage(room, "Alice", content);
        bob.nextMessage(room, "Alice", content);
      }
    }
  }

  @Test
  void oneAddressCannotTakeEveryPlace() throws Exception {
    // Before, 4,700 sockets of one address locked every new client out: now it gets 32 by default.
    try (RunningChat onPort = startChatOnPort()) {
      List<Socket> hoarded = new ArrayList<>();
      try {
        for (int i = 0; i < ChatServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS; i++) {
          Socket s = upgrade(onPort.port(), "127.0.0.1");
          hoarded.add(s);
          assertThat(status(s)).as("connection %s", i).isEqualTo("101");
        }
        try (Socket oneMore = upgrade(onPort.port(), "127.0.0.1")) {
          assertThat(status(oneMore)).isEqualTo("429");
        }
        // A client of another address is served meanwhile.
        try (Socket other = upgrade(onPort.port(), "127.0.0.2")) {
          assertThat(status(other)).isEqualTo("101");
        }
      } finally {
        for (Socket s : hoarded) {
          s.close();
        }
      }
    }
  }

  /** A socket from {@code localAddress} that has sent a WebSocket upgrade request. */
  private static Socket upgrade(int port, String localAddress) throws IOException {
    Socket s =
        new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(localAddress), 0);
    s.setSoTimeout(10_000);
    s.getOutputStream()
        .write(
            ("GET /?user-name=h HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    return s;
  }

  /** The status code of the response the socket reads. */
  private static String status(Socket s) throws IOException {
    byte[] line = s.getInputStream().readNBytes(12); // "HTTP/1.1 101"
    return new String(line, StandardCharsets.ISO_8859_1).substring(9);
  }

  @Test
  void theServerAnswersThePageOnTheSamePort() throws Exception {
    try (RunningChat onPort = startChatOnPort()) {
      answersThePage("http://127.0.0.1:" + onPort.port());
    }
  }

  private static void answersThePage(String base) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    HttpResponse<String> page = get(http, base + "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<title>Zocket chat</title>").contains("app.js");
    // The security headers are HTTP headers, so the page cannot be framed by another site.
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(
            csp ->
                assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self'"));
    assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
    assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("referrer-policy")).hasValue("no-referrer");

    HttpResponse<String> script = get(http, base + "/app.js?v=1");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("__rpc_res");

    assertThat(get(http, base + "/style.css").statusCode()).isEqualTo(200);
    assertThat(get(http, base + "/nothing-here").statusCode()).isEqualTo(404);
  }

  private static HttpResponse<String> get(HttpClient http, String uri) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private ChatMember connect(String name) {
    ChatMember member = new ChatMember(url, name);
    members.add(member);
    return member;
  }

  private List<String> messages() {
    return lines(Level.ALL);
  }

  /** The lines logged at {@code level} or above. */
  private List<String> lines(Level level) {
    synchronized (logs) { // the appender appends under its own lock
      return logs.list.stream()
          .filter(e -> e.getLevel().isGreaterOrEqual(level))
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  private static Logger logger(Class<?> type) {
    return (Logger) LoggerFactory.getLogger(type);
  }
}
