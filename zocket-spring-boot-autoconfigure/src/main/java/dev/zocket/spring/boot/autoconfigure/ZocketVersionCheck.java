package dev.zocket.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stops an application whose Spring Boot line manages versions Zocket cannot run on, before the
 * context refreshes (before any class that needs Netty 4.2 or Spring Boot 4 is loaded), with a
 * message that names the dependency, the version found, the version needed and what to set; instead
 * of a {@code NoClassDefFoundError} later. Registered in {@code META-INF/spring.factories}, which
 * Spring Boot 3 and 4 both read; it uses only classes both have.
 *
 * <p>Threading: called once by {@code SpringApplication}, on the thread that runs it.
 */
public final class ZocketVersionCheck
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  /** The Netty Zocket is built and tested with. */
  static final String NETTY = "4.2.18.Final";

  /** The Spring Boot line the starter is built for. */
  static final String BOOT = "4.0.7";

  /** Created by Spring from {@code META-INF/spring.factories}. */
  public ZocketVersionCheck() {}

  /**
   * Checks the versions on the class path.
   *
   * @param context the context about to refresh
   * @throws IllegalStateException naming every version that will not do
   */
  @Override
  public void initialize(ConfigurableApplicationContext context) {
    List<String> problems =
        problems(nettyVersion(), org.springframework.boot.SpringBootVersion.getVersion());
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("\n", problems));
    }
  }

  /**
   * What is wrong with the versions found; empty if they will do. A version that is null (not
   * known) is not checked.
   */
  static List<String> problems(String netty, String boot) {
    List<String> problems = new ArrayList<>();
    int[] n = majorMinor(netty);
    if (n != null && n[0] == 4 && n[1] < 2) {
      problems.add(
          "Zocket needs Netty 4.2 or later, but io.netty:netty-common "
              + netty
              + " is on the class path"
              + (boot == null ? "" : " (managed by Spring Boot " + boot + ")")
              + ". Set <netty.version>"
              + NETTY
              + "</netty.version> in the <properties> of your pom.xml (Spring Boot's parent POM"
              + " reads it), or ext['netty.version'] = '"
              + NETTY
              + "' with Gradle's dependency-management plugin.");
    }
    int[] b = majorMinor(boot);
    if (b != null && b[0] < 4) {
      problems.add(
          "zocket-spring-boot-starter needs Spring Boot 4.0 or later, but Spring Boot "
              + boot
              + " is on the class path: move spring-boot-starter-parent (or the"
              + " spring-boot-dependencies BOM) to "
              + BOOT
              + ", or use dev.zocket:zocket-netty without the starter.");
    }
    return problems;
  }

  private static String nettyVersion() {
    try {
      Class.forName("io.netty.util.Version", false, ZocketVersionCheck.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return null; // no Netty at all: the server's own dependency is missing, Maven says why
    }
    Map<String, io.netty.util.Version> versions = io.netty.util.Version.identify();
    io.netty.util.Version common = versions.get("netty-common");
    return common == null ? null : common.artifactVersion();
  }

  private static int[] majorMinor(String version) {
    if (version == null) {
      return null;
    }
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
