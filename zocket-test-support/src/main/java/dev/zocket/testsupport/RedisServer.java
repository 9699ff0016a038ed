package dev.zocket.testsupport;

import dev.zocket.test.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process on a free port of 127.0.0.1, for the Redis backplane's tests
 * and benchmarks: no persistence, its log in a temporary folder.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts a server on a free port and waits until it answers PING. Without {@code redis-server} on
   * the PATH the calling test is skipped on a developer's machine, and fails under CI ({@code
   * CI=true}, where {@code .ci/run} installs it), so CI can never pass by skipping.
   */
  public static RedisServer start() throws IOException, InterruptedException {
    if (!onPath("redis-server")) {
      String why = "needs redis-server on the PATH (apt-get install redis-server)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why);
    }
    int port = Ports.free(1, 0)[0];
    RedisServer server = new RedisServer(port, Files.createTempDirectory("zocket-redis-test"));
    server.restart();
    return server;
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /** The port it listens on, of 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its URI for Lettuce: {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the process again on the same port (after {@link #kill}). */
  public void restart() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server is running");
    }
    process =
        new ProcessBuilder(
                List.of(
                    "redis-server",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    dir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    Process started = process;
    Await.until(
        "redis-server to answer PING on port " + port,
        Duration.ofSeconds(15),
        () -> !started.isAlive() || ping());
    if (!started.isAlive()) {
      throw new IllegalStateException(
          "redis-server exited with " + started.exitValue() + ": " + log());
    }
  }

  /**
   * Stops the process (SIGSTOP) without closing anything: its connections stay open and it answers
   * nothing until {@link #resume}, as a Redis that stalls would.
   */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a {@linkplain #pause paused} process go on (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " failed for redis-server");
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("redis-server did not die");
    }
  }

  private boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      try {
        signal("CONT");
      } catch (IOException | IllegalStateException e) {
        // it was not paused, or is gone: destroy below does the rest
      }
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover temporary folder is harmless
    }
  }
}
