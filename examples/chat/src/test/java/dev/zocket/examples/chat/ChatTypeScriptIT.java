package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.testsupport.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TypeScript chat client ({@code examples/chat-ts}), typed by the module the build generated
 * from the Java contract, against the packaged Java chat server under Node with real WebSockets:
 * joins, messages, the members call, an error reply, a call timeout (the server process stopped
 * while the call waits) and reconnect after the server restarts on the same port. Needs Node.js
 * (skipped without it, failing under CI).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class ChatTypeScriptIT {
  private static final Path CLIENT = Path.of("..", "..", "clients", "typescript").toAbsolutePath();
  private static final Path CHAT_TS = Path.of("..", "chat-ts").toAbsolutePath();
  private final Processes processes = new Processes();

  @BeforeAll
  static void build() {
    Node.require();
    Node.install(CLIENT);
    npm(CLIENT, "run", "build");
    Node.install(CHAT_TS);
    npm(CHAT_TS, "run", "build");
  }

  private static void npm(Path dir, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("npm"));
    command.addAll(List.of(args));
    Node.Result r = Node.run(dir, Duration.ofMinutes(3), command);
    assertThat(r.exitCode())
        .as(String.join(" ", command) + " in " + dir + ":\n" + r.output())
        .isZero();
  }

  @AfterEach
  void stop() throws InterruptedException {
    processes.stop();
  }

  @Test
  void theGeneratedTypesHoldEveryChatRouteAndRefuseTheMistakes() {
    // tsc --noEmit --strict over a file that uses every route, with @ts-expect-error lines for a
    // wrong field type, a missing field, a wrong reply type, an unknown route and calling an event.
    npm(CHAT_TS, "run", "typecheck");
  }

  @Test
  void theTypeScriptClientTalksToTheJavaServerAndReconnectsAfterARestart() throws Exception {
    Processes.ChatServer first = processes.chatServer(List.of());
    int port = first.port();
    Processes.Output e2e =
        processes.command(
            CHAT_TS, List.of("node", "dist/test/e2e.js", "ws://127.0.0.1:" + port + "/"));
    e2e.await(Pattern.compile("^messages: ok$"));
    e2e.await(Pattern.compile("^calls: ok$"));

    e2e.await(Pattern.compile("^PAUSE$"));
    pause(first.output().process);
    e2e.type("PAUSED");
    e2e.await(Pattern.compile("^RESUME$"));
    signal("CONT", first.output().process);
    e2e.type("RESUMED");
    e2e.await(Pattern.compile("^timeout: ok$"));

    e2e.await(Pattern.compile("^RESTART$"));
    first.output().process.destroy();
    assertThat(first.output().process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    processes.chatServer(List.of(), port);
    e2e.type("RESTARTED");
    e2e.await(Pattern.compile("^reconnect: ok$"));
    e2e.await(Pattern.compile("^E2E OK$"));
    assertThat(e2e.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(e2e.process.exitValue()).isZero();
  }

  @Test
  void theConsoleClientChats() throws Exception {
    Processes.ChatServer chat = processes.chatServer(List.of());
    Processes.Output console =
        processes.command(
            CHAT_TS,
            List.of(
                "node",
                "dist/src/main.js",
                "--url",
                "ws://127.0.0.1:" + chat.port() + "/",
                "--name",
                "Carol"));
    console.await(Pattern.compile("^connected to ws://127\\.0\\.0\\.1:\\d+/ as Carol$"));
    console.type("/join lobby");
    console.await(Pattern.compile("^Carol joined lobby$"));
    console.type("hello from the console");
    console.await(Pattern.compile("^\\[lobby] Carol: hello from the console$"));
    console.type("/members lobby");
    console.await(Pattern.compile("^members of lobby: Carol$"));
    console.type("/members elsewhere");
    console.await(Pattern.compile("^NOT_A_MEMBER: "));
    console.type("/quit");
    assertThat(console.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Stops a process ({@code kill -STOP}) and returns once every one of its threads has stopped.
   * {@code kill} returns as soon as Linux has queued the signal and woken one thread; that thread
   * then stops the others, each when it next runs. On a loaded machine the server's I/O threads
   * went on serving for milliseconds after {@code kill} returned, long enough to answer the call
   * meant to time out. Reads the thread states from {@code /proc} (Linux).
   */
  private static void pause(Process process) throws Exception {
    signal("STOP", process);
    Path tasks = Path.of("/proc", String.valueOf(process.pid()), "task");
    assertThat(tasks)
        .as("the threads of the server, to see them stopped (Linux /proc)")
        .isDirectory();
    Await.until(
        "every thread of the server stopped (state T in " + tasks + "/*/stat)",
        () -> runningThreads(tasks) == 0);
  }

  /**
   * The threads of {@code /proc/<pid>/task} not stopped; a thread that has ended counts as none.
   */
  private static long runningThreads(Path tasks) {
    try (Stream<Path> threads = Files.list(tasks)) {
      return threads.filter(t -> !isStopped(t.resolve("stat"))).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code /proc/<pid>/task/<tid>/stat} says stopped ("T"), or the thread has ended. */
  private static boolean isStopped(Path stat) {
    String line;
    try {
      line = Files.readString(stat);
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      if (Files.exists(stat)) {
        throw new UncheckedIOException(e);
      }
      return true; // ended while being read (ESRCH)
    }
    // "tid (comm) S ...": the state follows the last ')' (the thread's name may hold one).
    char state = line.charAt(line.lastIndexOf(')') + 2);
    return state == 'T' || state == 'Z' || state == 'X';
  }

  /** Sends a signal to a process: STOP pauses it, CONT resumes it. */
  private static void signal(String signal, Process process) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }
}
