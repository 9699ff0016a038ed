package dev.zocket.bench.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's process: started with the node's main class, its output in a log file. Used from the
 * driver's thread only.
 */
final class NodeProcess {
  private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");

  final int index;
  final Process process;
  final Path log;
  int port;

  private NodeProcess(int index, Process process, Path log) {
    this.index = index;
    this.process = process;
    this.log = log;
  }

  static NodeProcess start(int index, String redisUri, FaultDriver.Config config, Path dir)
      throws IOException {
    List<String> command = new ArrayList<>(config.nodeJava());
    command.addAll(List.of("--redis", redisUri, "--node-id", "node" + index, "--port", "0"));
    if (config.cluster()) {
      command.add("--cluster");
    }
    if (config.recovery()) {
      command.add("--recovery");
    }
    Path log = dir.resolve("node" + index + ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new NodeProcess(index, p, log);
  }

  void awaitListening() throws IOException, InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < until) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("node " + index + " exited: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + index + " did not listen within 90 s");
  }

  boolean alive() {
    return process.isAlive();
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("node " + index + " did not die");
    }
  }

  void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
