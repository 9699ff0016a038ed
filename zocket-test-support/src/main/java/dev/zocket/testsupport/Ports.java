package dev.zocket.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server process a test starts: free when chosen, and below the kernel's ephemeral
 * range, from which every outgoing connection takes its own port. A port from that range (as a
 * socket bound to port 0 gives) can be taken by any connection the tests make before the process
 * binds it, and the process then fails with "Address already in use".
 */
final class Ports {
  /** The kernel's ephemeral range on Linux; its default where the file is missing. */
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private static final int DEFAULT_EPHEMERAL_START = 32_768;
  private static final int LOWEST = 10_000;

  private Ports() {}

  /**
   * Picks {@code count} ports, at random and at least two apart, each free now together with the
   * port {@code companion} above it (a Redis Cluster node's bus port) when {@code companion} is
   * positive, all of them below the ephemeral range.
   *
   * @throws IOException if no such ports are free
   */
  static int[] free(int count, int companion) throws IOException {
    int highest = ephemeralStart() - 1 - companion;
    if (highest - LOWEST < count * 100) {
      throw new IOException(
          "the ephemeral port range starts at "
              + ephemeralStart()
              + ": too low to leave free ports for test servers below it");
    }
    int[] ports = new int[count];
    int found = 0;
    for (int attempt = 0; attempt < 1_000 && found < count; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
      if (free(port)
          && (companion == 0 || free(port + companion))
          && !near(ports, found, port, companion)) {
        ports[found++] = port;
      }
    }
    if (found < count) {
      throw new IOException("no " + count + " free ports below the ephemeral range");
    }
    return ports;
  }

  private static int ephemeralStart() {
    // A line, not the whole file: procfs gives some readers of a whole file only its first bytes.
    try (BufferedReader range = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      return Integer.parseInt(range.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }

  private static boolean near(int[] ports, int count, int port, int companion) {
    for (int i = 0; i < count; i++) {
      int distance = Math.abs(ports[i] - port);
      if (distance < 2 || (companion > 0 && distance == companion)) {
        return true;
      }
    }
    return false;
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
