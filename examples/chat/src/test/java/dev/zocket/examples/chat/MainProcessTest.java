package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's process as {@link Main} runs it (from the test class path, in a JVM of its own):
 * SIGTERM ends it, whatever its connections are doing, once its shutdown hook has closed the server
 * within the server's bounded shutdown.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class MainProcessTest {
  private static final Pattern LISTENING =
      Pattern.compile("Chat server listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Processes processes = new Processes();

  @AfterEach
  void stop() throws InterruptedException {
    processes.stop();
  }

  @Test
  void sigtermEndsTheProcessWhateverItsConnectionsAreDoing() throws Exception {
    Processes.Output server = processes.main(Main.class, "--host", "127.0.0.1", "--port", "0");
    int port = Integer.parseInt(server.await(LISTENING).group(1));

    try (ChatMember bob = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), "Bob");
        RawClient stalled = RawClient.connect(port, "/?user-name=Stalled", 4096);
        Socket unfinished = new Socket("127.0.0.1", port)) {
      bob.joinAndWait("general");
      // A member that stops reading while large messages pile up for it.
      stalled.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
      String large = "x".repeat(60_000);
      for (int i = 0; i < 20; i++) {
        bob.post("general", large);
      }
      bob.until(e -> e instanceof ChatMessage m && m.content().equals(large), 10);
      // A request that never ends.
      unfinished.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(UTF_8));
      unfinished.getOutputStream().flush();

      // SIGTERM, like Ctrl-C; through the handle, since Process.destroy() also closes the output.
      server.process.toHandle().destroy();
      assertThat(server.process.waitFor(60, TimeUnit.SECONDS)).as("the process ended").isTrue();
      assertThat(server.process.exitValue()).isEqualTo(128 + 15); // ended by SIGTERM
      server.await(Pattern.compile("Zocket server ws://127\\.0\\.0\\.1:" + port + "/ closed"));
    } catch (IOException e) {
      throw new IllegalStateException("a client failed before the SIGTERM", e);
    }
  }
}
