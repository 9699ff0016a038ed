package dev.zocket.testsupport;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node.js and npm for tests of the TypeScript parts: a test that needs them is skipped on a machine
 * without them, except under CI ({@code CI=true}), where it fails, so CI can never pass by
 * skipping.
 */
public final class Node {
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

  private Node() {}

  /** The result of a command: its exit code and everything it printed (stdout and stderr). */
  public record Result(int exitCode, String output) {}

  /** Skips the test unless {@code node} 20 or newer and {@code npm} run; fails under CI. */
  public static void require() {
    String why = problem();
    if (why != null && "true".equals(System.getenv("CI"))) {
      fail(why + " (CI=true: .ci/run installs Node.js)");
    }
    assumeTrue(why == null, why);
  }

  private static String problem() {
    try {
      Result v = run(Path.of("."), Duration.ofSeconds(30), "node", "--version");
      String version = v.output().trim();
      if (v.exitCode() != 0 || !version.startsWith("v")) {
        return "node --version failed: " + version;
      }
      int major = Integer.parseInt(version.substring(1, version.indexOf('.')));
      if (major < 20) {
        return "Node.js 20 or newer is needed, found " + version;
      }
      Result npm = run(Path.of("."), Duration.ofSeconds(30), "npm", "--version");
      return npm.exitCode() == 0 ? null : "npm --version failed: " + npm.output();
    } catch (UncheckedIOException e) {
      return "Node.js is not installed (" + e.getCause().getMessage() + ")";
    }
  }

  /**
   * Runs {@code npm ci} in a package directory unless its {@code node_modules} was installed from
   * the current {@code package-lock.json} already; fails the test if the install fails.
   */
  public static void install(Path packageDir) {
    Path lock = packageDir.resolve("package-lock.json");
    Path installed = packageDir.resolve("node_modules/.package-lock.json");
    try {
      if (Files.exists(installed)
          && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
        return;
      }
      Result r =
          run(
              packageDir,
              INSTALL_TIMEOUT,
              "npm",
              "ci",
              "--no-audit",
              "--no-fund",
              "--loglevel=error");
      if (r.exitCode() != 0) {
        fail("npm ci in " + packageDir + " failed:\n" + r.output());
      }
      Files.setLastModifiedTime(installed, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a command in a directory and waits for it, at most {@code timeout}; a command still
   * running then is killed and the test fails with what it printed.
   */
  public static Result run(Path dir, Duration timeout, String... command) {
    return run(dir, timeout, List.of(command));
  }

  /** As {@link #run(Path, Duration, String...)}. */
  public static Result run(Path dir, Duration timeout, List<String> command) {
    try {
      Path log = Files.createTempFile("zocket-node", ".log");
      try {
        Process p =
            new ProcessBuilder(new ArrayList<>(command))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
          fail(
              String.join(" ", command)
                  + " did not finish within "
                  + timeout
                  + ":\n"
                  + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
