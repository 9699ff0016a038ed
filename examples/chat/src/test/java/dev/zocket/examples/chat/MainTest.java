package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's command line: what ends the process, with which status and message. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Test
  void helpPrintsTheUsageAndEndsWithZero() {
    Main.Exit exit = exit("--help");
    assertThat(exit.status).isEqualTo(0);
    assertThat(exit.getMessage()).isNull();
    assertThat(out.toString(UTF_8))
        .startsWith("Usage:")
        .contains("--port N")
        .contains("--max-connections-per-address N")
        .contains("default 127.0.0.1:3000");
  }

  @Test
  void aTakenPortNamesTheFlagThatChangesIt() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Main.Exit exit = exit("--host", "127.0.0.1", "--port", String.valueOf(port));
      assertThat(exit.status).isEqualTo(2);
      assertThat(exit.getMessage())
          .startsWith("Cannot bind 127.0.0.1:" + port + ": ")
          .endsWith(
              "\nChoose another port with --port N (0 for any free port), or another address with"
                  + " --host.");
      assertThat(exit.getStackTrace()).isEmpty();
    }
  }

  @Test
  void aBadPortIsAUsageError() {
    Main.Exit exit = exit("--port", "eighty");
    assertThat(exit.status).isEqualTo(2);
    assertThat(exit.getMessage()).startsWith("Not a port (0-65535) for --port: eighty\nUsage:");
  }

  @Test
  void aBadConnectionLimitIsAUsageError() {
    Main.Exit exit = exit("--max-connections-per-address", "-1");
    assertThat(exit.status).isEqualTo(2);
    assertThat(exit.getMessage())
        .startsWith(
            "Not a number of connections (0 or more) for --max-connections-per-address: -1\nUsage:");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    Main.Exit exit = exit("--colour", "red");
    assertThat(exit.status).isEqualTo(2);
    assertThat(exit.getMessage()).startsWith("Unknown or incomplete option: --colour\nUsage:");
  }

  @Test
  void goodOptionsStartTheServer() {
    try (ChatServer server =
        Main.startServer(
            new String[] {"--port", "0", "--max-connections-per-address", "0"},
            new PrintStream(out, true, UTF_8))) {
      assertThat(server.port()).isPositive();
    }
  }

  private Main.Exit exit(String... args) {
    return catchThrowableOfType(
        Main.Exit.class, () -> Main.startServer(args, new PrintStream(out, true, UTF_8)));
  }
}
