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

/**
 * The processes an integration test starts: the packaged {@code zocket-chat.jar} as a user runs it,
 * or a class of the test class path in a JVM of its own. Each one's output is read line by line;
 * {@link #stop()} ends them all.
 */
final class Processes {
  private static final Pattern LISTENING =
      Pattern.compile("Chat server listening on 127\\.0\\.0\\.1:(\\d+)");

  private final List<Output> outputs = new ArrayList<>();

  /** A chat server started from the packaged jar, and the port it listens on. */
  record ChatServer(Output output, int port) {
    /** {@code GET path} of the server, as text. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
  }

  /** The packaged chat server on 127.0.0.1 and a free port, once it listens. */
  ChatServer chatServer(List<String> jvmOptions) throws IOException, InterruptedException {
    return chatServer(jvmOptions, 0);
  }

  /**
   * The packaged chat server on 127.0.0.1 and the given port (0: a free one), with more options,
   * once it listens.
   */
  ChatServer chatServer(List<String> jvmOptions, int port, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "" + port));
    args.addAll(List.of(options));
    Output output = jar(jvmOptions, args.toArray(String[]::new));
    return new ChatServer(output, Integer.parseInt(output.await(LISTENING).group(1)));
  }

  /** Any command, run in a directory. */
  Output command(Path dir, List<String> command) throws IOException {
    Output output =
        new Output(
            new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start());
    outputs.add(output);
    return output;
  }

  /** {@code java [jvmOptions] -jar zocket-chat.jar args}. Needs the integration-test phase. */
  Output jar(List<String> jvmOptions, String... args) throws IOException {
    String built = System.getProperty("zocket.chat.jar");
    // Set by failsafe after the package phase; a test run before it has no jar (or a stale one).
    assumeTrue(built != null, "runs in the integration-test phase (mvn verify)");
    Path jar = Paths.get(built);
    assertThat(jar).as("the packaged jar").matches(Files::isRegularFile);
    List<String> command = new ArrayList<>(List.of(java()));
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return start(command);
  }

  /** {@code java -cp <the test class path> main args}. */
  Output main(Class<?> main, String... args) throws IOException {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java(), "-cp", classPath, main.getName()));
    command.addAll(List.of(args));
    return start(command);
  }

  private static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Output start(List<String> command) throws IOException {
    Output output = new Output(new ProcessBuilder(command).redirectErrorStream(true).start());
    outputs.add(output);
    return output;
  }

  /**
   * Ends every process started, forcibly, and prints the last lines each one wrote, so that the
   * report of a failed test shows what the server said.
   */
  void stop() throws InterruptedException {
    for (Output o : outputs) {
      o.process.destroyForcibly();
      o.process.waitFor(10, TimeUnit.SECONDS);
      List<String> lines = o.linesSoFar();
      System.out.println(
          "--- the last lines of " + o.process.info().commandLine().orElse("a process") + ":");
      lines.subList(Math.max(0, lines.size() - 200), lines.size()).forEach(System.out::println);
    }
  }

  /** A process's output, line by line, read on a thread of its own. */
  static final class Output {
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

    /**
     * Waits for a line that contains the pattern, among the lines not yet awaited, at most 20
     * seconds for each line.
     */
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

    /** Every line the process has written so far, awaited or not. */
    List<String> linesSoFar() {
      lines.drainTo(seen);
      return List.copyOf(seen);
    }

    void type(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(UTF_8));
      in.flush();
    }
  }
}
