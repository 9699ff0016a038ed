package dev.zocket.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server process a test starts: free when chosen, and below the kernel's ephemeral
 * range, from which every outgoing connection takes its own port. A port from that range (as a
 * socket bound to port 0 gives) can be taken by any connection the tests make before the process
 * binds it, and the process then fails with "Address already in use".
 *
 * <p>The build runs two modules' tests at a time, so two test JVMs may pick ports at once: each
 * port chosen is reserved by a lock on a file named after it (in a folder of {@code java.io.tmpdir}
 * per user), held until the JVM ends, and a port another JVM holds is not chosen. The operating
 * system drops a dead JVM's locks.
 */
final class Ports {
  /** The kernel's ephemeral range on Linux; its default where the file is missing. */
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private static final int DEFAULT_EPHEMERAL_START = 32_768;
  private static final int LOWEST = 10_000;

  private static final Path RESERVATIONS =
      Path.of(
          System.getProperty("java.io.tmpdir"),
          "zocket-test-ports-" + System.getProperty("user.name"));

  /** The ports this JVM has reserved, each with its lock's channel, open until the JVM ends. */
  private static final Map<Integer, FileChannel> RESERVED = new HashMap<>();

  private Ports() {}

  /**
   * Picks {@code count} ports, at random and at least two apart, each free now together with the
   * port {@code companion} above it (a Redis Cluster node's bus port) when {@code companion} is
   * positive, all of them below the ephemeral range.
   *
   * @throws IOException if no such ports are free
   */
  static synchronized int[] free(int count, int companion) throws IOException {
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
      // A port this JVM reserved before (one of these, or its companion) is not reserved again.
      if (!adjacent(ports, found, port)
          && reserve(port)
          && (companion == 0 || reserve(port + companion))
          && free(port)
          && (companion == 0 || free(port + companion))) {
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

  private static boolean adjacent(int[] ports, int count, int port) {
    for (int i = 0; i < count; i++) {
      if (Math.abs(ports[i] - port) == 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reserves {@code port} for this JVM: false if this JVM or another holds it already. A port that
   * proves not free stays reserved; this JVM does not choose it again.
   */
  private static boolean reserve(int port) throws IOException {
    if (RESERVED.containsKey(port)) {
      return false;
    }
    Files.createDirectories(RESERVATIONS);
    FileChannel channel =
        FileChannel.open(
            RESERVATIONS.resolve(port + ".lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      return false;
    }
    RESERVED.put(port, channel);
    return true;
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
