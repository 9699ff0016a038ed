package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
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
  private static final Pattern LISTENING =
      Pattern.compile("Chat server listening on 127\\.0\\.0\\.1:(\\d+)");

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theJarRunsTheServerAndTheConsoleClient() throws Exception {
    Output server = start("--host", "127.0.0.1", "--port", "0");
    Matcher listening = server.await(LISTENING);
    int port = Integer.parseInt(listening.group(1));

    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Zocket chat</title>");

    try (ChatMember bob = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), "Bob")) {
      bob.joinAndWait("general");

      Output console =
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
    server.await(Pattern.compile("Zocket server on port " + port + " closed"));
  }

  private Output start(String... args) throws IOException {
    String built = System.getProperty("zocket.chat.jar");
    // Set by failsafe after the package phase; a test run before it has no jar (or a stale one).
    assumeTrue(built != null, "runs in the integration-test phase (mvn verify)");
    Path jar = Paths.get(built);
    assertThat(jar).as("the packaged jar").matches(Files::isRegularFile);
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    return new Output(process);
  }

  /** A process's output, line by line, read on a thread of its own. */
  private static final class Output {
    final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    Output(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("(output closed: " + e + ")");
                }
              },
              "output-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    /** Waits for a line that contains the pattern, among the lines not yet awaited. */
    Matcher await(Pattern pattern) throws InterruptedException {
      for (int i = 0; i < 1000; i++) {
        String line = lines.poll(20, TimeUnit.SECONDS);
        if (line == null) {
          break;
        }
        seen.add(line);
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      fail(
          "timed out waiting for output matching "
              + pattern
              + "; seen:\n"
              + String.join("\n", seen));
      return null;
    }

    void type(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(UTF_8));
      in.flush();
    }
  }
}
