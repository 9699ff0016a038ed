package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The console client, typed into through a pipe, against a real chat server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ChatConsoleTest {
  private ChatServer server;
  private ChatMember bob;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private PipedOutputStream keyboard;
  private Thread console;
  private final AtomicInteger status = new AtomicInteger(-1);

  @BeforeEach
  void start() throws IOException {
    LeakDetection.install();
    server = ChatServer.start("127.0.0.1", 0);
    keyboard = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(keyboard);
    PrintStream out = new PrintStream(printed, true, UTF_8);
    String url = "ws://127.0.0.1:" + server.port();
    console =
        new Thread(
            () ->
                status.set(
                    ChatConsole.run(
                        new String[] {"--url", url, "--name", "Alice", "--room", "general"},
                        in,
                        out)),
            "console");
  }

  @AfterEach
  void stop() throws Exception {
    keyboard.close();
    console.join(10_000);
    if (bob != null) {
      bob.close();
    }
    server.close();
    LeakDetection.assertNoLeaks();
  }

  @Test
  void printsEventsAndSendsLinesAndCommands() throws Exception {
    bob = new ChatMember(URI.create("ws://127.0.0.1:" + server.port()), "Bob");
    bob.joinAndWait("general");

    console.start();
    assertThat(bob.next()).isEqualTo(new Joined("general", "Alice"));
    waitFor("[general] Alice joined");

    type("hello everyone");
    bob.nextMessage("general", "Alice", "hello everyone");
    waitFor(" Alice: hello everyone");

    bob.post("general", "hi \u001b[31mAlice");
    bob.nextMessage("general", "Bob", "hi \u001b[31mAlice");
    waitFor(" Bob: hi \uFFFD[31mAlice");

    type("/members");
    waitFor("Members of general: Alice, Bob");
    type("/members nowhere");
    waitFor("! You are not in room nowhere");

    type("/join lobby");
    waitFor("[lobby] Alice joined");
    type("/leave general");
    assertThat(bob.next()).isEqualTo(new Left("general", "Alice"));
    waitFor("[general] Alice left");
    waitFor("Current room: lobby");

    type("/quit");
    console.join(10_000);
    assertThat(console.isAlive()).isFalse();
    assertThat(status.get()).isEqualTo(0);
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        ChatConsole.run(
            new String[] {"--colour", "red"},
            new java.io.ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(out.toString(UTF_8)).contains("Unknown option --colour").contains("Usage:");
  }

  @Test
  void helpPrintsTheUsage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = runOffline(out, "--help");
    assertThat(code).isEqualTo(0);
    assertThat(out.toString(UTF_8)).startsWith("Usage: java -jar zocket-chat.jar client");
  }

  @Test
  void aUrlThatIsNotAWebSocketUrlIsAUsageError() {
    for (String url : List.of("http//nonsense", "http://localhost:3000", "ws://", "ws:x y")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = runOffline(out, "--url", url);
      assertThat(code).as(url).isEqualTo(2);
      assertThat(out.toString(UTF_8))
          .as(url)
          .startsWith("Not a WebSocket URL for --url: " + url + " (expected ws://host:port/")
          .contains("Usage:");
    }
  }

  @Test
  void aServerThatIsNotThereIsReportedInOneLine() throws IOException {
    int closedPort;
    try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closedPort = free.getLocalPort();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = runOffline(out, "--url", "ws://127.0.0.1:" + closedPort + "/");
    assertThat(code).isEqualTo(1);
    assertThat(out.toString(UTF_8))
        .startsWith("Could not connect to ws://127.0.0.1:" + closedPort + "/: ")
        .containsOnlyOnce("Could not connect");
  }

  private static int runOffline(ByteArrayOutputStream out, String... args) {
    return ChatConsole.run(
        args, new java.io.ByteArrayInputStream(new byte[0]), new PrintStream(out, true, UTF_8));
  }

  private void type(String line) throws IOException {
    keyboard.write((line + "\n").getBytes(UTF_8));
    keyboard.flush();
  }

  private void waitFor(String text) {
    try {
      Await.until("the console to print " + text, () -> printed.toString(UTF_8).contains(text));
    } catch (AssertionError e) {
      fail(e.getMessage() + "; it printed:\n" + printed.toString(UTF_8));
    }
  }
}
