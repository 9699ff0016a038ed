package dev.zocket.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PortsTest {
  /** How many ports the other JVM holds: about a sixth of those below the ephemeral range. */
  private static final int HELD = 2_000;

  /**
   * Another JVM holds 2,000 ports it picked (and has not bound); 300 picked here meanwhile are none
   * of them. Without the reservations about 50 of the 300 would be among the other JVM's.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void portsPickedInAnotherJvmAreNotPickedAgain() throws Exception {
    Process other =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Holder.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(other.getInputStream(), UTF_8))) {
      String line = out.readLine();
      assertThat(line).as("the other JVM's ports").isNotNull();
      Set<Integer> theirs =
          Arrays.stream(line.split(" ")).map(Integer::valueOf).collect(Collectors.toSet());
      assertThat(theirs).hasSize(HELD);

      Set<Integer> ours = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        for (int port : Ports.free(100, 0)) {
          ours.add(port);
        }
      }
      assertThat(ours).hasSize(300).doesNotContainAnyElementsOf(theirs);
    } finally {
      other.getOutputStream().close(); // the holder ends at the end of its input
      if (!other.waitFor(30, TimeUnit.SECONDS)) {
        other.destroyForcibly();
      }
    }
  }

  /**
   * The other JVM: picks {@link #HELD} ports, prints them on one line, holds them until stdin ends.
   */
  static final class Holder {
    public static void main(String[] args) throws Exception {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < HELD / 100; i++) {
        for (int port : Ports.free(100, 0)) {
          line.append(line.length() == 0 ? "" : " ").append(port);
        }
      }
      System.out.println(line);
      System.out.flush();
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
    }
  }
}
