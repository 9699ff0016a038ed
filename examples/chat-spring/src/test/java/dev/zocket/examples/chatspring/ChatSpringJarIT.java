package dev.zocket.examples.chatspring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.zocket.examples.chat.ChatMember;
import dev.zocket.examples.chat.RoomId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged {@code zocket-chat-spring.jar} as a user runs it: {@code java -jar} serves the page
 * and the chat on one port, and SIGTERM stops it. Runs in the integration-test phase, after the jar
 * is built.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatSpringJarIT {
  private static final Pattern LISTENING =
      Pattern.compile("Zocket server listening on ws://127\\.0\\.0\\.1:(\\d+)/");

  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      lines.drainTo(seen);
      System.out.println("--- the output of the jar:");
      seen.forEach(System.out::println);
    }
  }

  @Test
  void javaJarServesThePageAndTheChat() throws Exception {
    Path jar = jar();
    start(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar",
        jar.toString(),
        "--zocket.server.port=0");
    int port = Integer.parseInt(await(LISTENING).group(1));

    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>Zocket chat</title>");

    try (ChatMember alice = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), "Alice")) {
      alice.joinAndWait("general");
      assertThat(alice.rooms.members(new RoomId("general")).get(10, TimeUnit.SECONDS))
          .containsExactly("Alice");
    }
    await(Pattern.compile("Alice \\(.+\\) disconnected from rooms: general"));

    // SIGTERM, like Ctrl-C; through the handle, since Process.destroy() also closes the output.
    process.toHandle().destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
    await(Pattern.compile("Zocket server ws://127\\.0\\.0\\.1:" + port + "/ closed"));
  }

  /**
   * Java 22 and later print four "restricted method" warnings when Netty loads its native epoll
   * library, unless the launcher allows native access: the repackaged jar's manifest does (older
   * Java ignores the attribute).
   */
  @Test
  void theJarAllowsNativeAccess() throws IOException {
    try (JarFile jar = new JarFile(jar().toFile())) {
      assertThat(jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"))
          .isEqualTo("ALL-UNNAMED");
    }
  }

  /** The packaged jar, which failsafe names after the package phase. */
  private static Path jar() {
    String built = System.getProperty("zocket.chat.spring.jar");
    // Set by failsafe after the package phase; a test run before it has no jar (or a stale one).
    assumeTrue(built != null, "runs in the integration-test phase (mvn verify)");
    Path jar = Paths.get(built);
    assertThat(jar).as("the packaged jar").matches(Files::isRegularFile);
    return jar;
  }

  private void start(String... command) throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
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
            "jar-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for a line that matches, among those not yet awaited, at most 30 s for each line. */
  private Matcher await(Pattern pattern) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      String line = lines.poll(30, TimeUnit.SECONDS);
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
        "timed out waiting for output matching " + pattern + "; seen:\n" + String.join("\n", seen));
    return null;
  }
}
