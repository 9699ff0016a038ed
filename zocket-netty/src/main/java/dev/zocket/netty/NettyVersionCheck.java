package dev.zocket.netty;

import io.netty.util.Version;

/**
 * Fails at once, with what to do, when the Netty on the class path is older than 4.2, which the
 * server needs: instead of a {@code NoClassDefFoundError} (for example {@code
 * io/netty/channel/nio/NioIoHandler}) from deep inside {@link ZocketServer.Builder#start}. Spring
 * Boot 3.x manages Netty 4.1, and wins over Zocket's own dependency.
 *
 * <p>Threading: any thread; reads Netty's version resources once per call.
 */
final class NettyVersionCheck {
  /** The Netty Zocket is built and tested with, recommended in the message. */
  static final String RECOMMENDED = "4.2.18.Final";

  private NettyVersionCheck() {}

  /** Throws if Netty's {@code netty-common} is older than 4.2; does nothing if it cannot tell. */
  static void check() {
    Version common = Version.identify().get("netty-common");
    if (common == null) {
      return; // repackaged or stripped: nothing to go by
    }
    String problem = problem(common.artifactVersion());
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
  }

  /**
   * What is wrong with a Netty version, or null if it will do.
   *
   * @param found the version of {@code io.netty:netty-common} found, for example {@code
   *     4.1.128.Final}
   */
  static String problem(String found) {
    int[] v = majorMinor(found);
    if (v == null || v[0] > 4 || (v[0] == 4 && v[1] >= 2)) {
      return null;
    }
    return "Zocket needs Netty 4.2 or later, but io.netty:netty-common "
        + found
        + " is on the class path (Spring Boot 3.x, for one, manages Netty 4.1). Set the Netty"
        + " version to "
        + RECOMMENDED
        + ": with Spring Boot's parent POM, <netty.version>"
        + RECOMMENDED
        + "</netty.version> in <properties>; with Gradle and Spring's dependency-management"
        + " plugin, ext['netty.version'] = '"
        + RECOMMENDED
        + "'; otherwise import io.netty:netty-bom:"
        + RECOMMENDED
        + " before any other BOM";
  }

  /** The major and minor numbers of a version, or null if it does not start with them. */
  static int[] majorMinor(String version) {
    String[] parts = version.split("[.-]");
    if (parts.length < 2) {
      return null;
    }
    try {
      return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
