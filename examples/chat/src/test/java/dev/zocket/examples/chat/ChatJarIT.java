package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged {@code zocket-chat.jar} as a user runs it: {@code java -jar} starts the server,
 * {@code java -jar ... client} the console client. Runs in the integration-test phase, after the
 * jar is built.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class ChatJarIT {
  private final Processes processes = new Processes();

  @AfterEach
  void stop() throws InterruptedException {
    processes.stop();
  }

  @Test
  void theJarRunsTheServerAndTheConsoleClient() throws Exception {
    Processes.ChatServer chat = processes.chatServer(List.of());
    Processes.Output server = chat.output();
    int port = chat.port();

    HttpResponse<String> page = chat.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Zocket chat</title>");

    try (ChatMember bob = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), "Bob")) {
      bob.joinAndWait("general");

      Processes.Output console =
          start(
              "client", "--url", "ws://127.0.0.1:" + port, "--name", "Alice", "--room", "general");
      assertThat(bob.next()).isEqualTo(new Joined("general", "Alice"));
      console.await(Pattern.compile(Pattern.quote("[general] Alice joined")));

      console.type("hello from the jar");
      bob.nextMessage("general", "Alice", "hello from the jar");
      bob.post("general", "hello Alice");
      bob.nextMessage("general", "Bob", "hello Alice");
      console.await(Pattern.compile(" Bob: hello Alice"));

      console.type("/quit");
      assertThat(console.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(console.process.exitValue()).isEqualTo(0);
      server.await(Pattern.compile("Alice \\(.+\\) disconnected from rooms: general"));
    }

    // SIGTERM, like Ctrl-C; through the handle, since Process.destroy() also closes the output.
    server.process.toHandle().destroy();
    assertThat(server.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    server.await(Pattern.compile("Zocket server ws://127\\.0\\.0\\.1:" + port + "/ closed"));
  }

  @Test
  void theCommandLineFailsPolitely() throws Exception {
    exits(0, "Usage:", "--help");
    exits(0, "Usage: java -jar zocket-chat.jar client", "client", "--help");
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());
      exits(2, "Choose another port with --port", "--host", "127.0.0.1", "--port", port);
    }
    exits(2, "Not a WebSocket URL for --url: http//nonsense", "client", "--url", "http//nonsense");
  }

  /**
   * Java 22 and later print four "restricted method" warnings when Netty loads its native epoll
   * library, unless the launcher allows native access: the jar's manifest does (older Java ignores
   * the attribute).
   */
  @Test
  void theJarAllowsNativeAccess() throws IOException {
    try (JarFile jar = new JarFile(System.getProperty("zocket.chat.jar"))) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
          .isEqualTo("ALL-UNNAMED");
    }
  }

  /** Runs the jar, which must end with the status and print the text, without a stack trace. */
  private void exits(int status, String text, String... args) throws Exception {
    Processes.Output run = start(args);
    assertThat(run.process.waitFor(20, TimeUnit.SECONDS)).as("the jar ended").isTrue();
    run.await(Pattern.compile(Pattern.quote(text)));
    assertThat(run.process.exitValue()).as("the exit status").isEqualTo(status);
    assertThat(run.linesSoFar())
        .as("the output of " + String.join(" ", args))
        .noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
  }

  private Processes.Output start(String... args) throws IOException {
    return processes.jar(List.of(), args);
  }
}
