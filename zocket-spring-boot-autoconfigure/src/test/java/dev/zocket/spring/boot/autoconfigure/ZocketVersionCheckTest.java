package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

class ZocketVersionCheckTest {

  @Test
  void boot35NamesNettyAndBootWithTheVersionsAndWhatToSet() {
    assertThat(ZocketVersionCheck.problems("4.1.128.Final", "3.5.7"))
        .containsExactly(
            "Zocket needs Netty 4.2 or later, but io.netty:netty-common 4.1.128.Final is on the"
                + " class path (managed by Spring Boot 3.5.7). Set"
                + " <netty.version>4.2.18.Final</netty.version> in the <properties> of your"
                + " pom.xml (Spring Boot's parent POM reads it), or ext['netty.version'] ="
                + " '4.2.18.Final' with Gradle's dependency-management plugin.",
            "zocket-spring-boot-starter needs Spring Boot 4.0 or later, but Spring Boot 3.5.7 is"
                + " on the class path: move spring-boot-starter-parent (or the"
                + " spring-boot-dependencies BOM) to 4.0.7, or use dev.zocket:zocket-netty without"
                + " the starter.");
  }

  @Test
  void boot4WithNetty42Passes() {
    assertThat(ZocketVersionCheck.problems("4.2.15.Final", "4.0.7")).isEmpty();
    assertThat(ZocketVersionCheck.problems(null, null)).isEmpty();
    assertThat(ZocketVersionCheck.problems("4.1.128.Final", "4.0.7")).hasSize(1);
  }

  @Test
  void thisBuildsVersionsPass() {
    assertThat(SpringBootVersion.getVersion()).startsWith("4.");
    assertThat(
            ZocketVersionCheck.problems(
                io.netty.util.Version.identify().get("netty-common").artifactVersion(),
                SpringBootVersion.getVersion()))
        .isEqualTo(List.of());
  }
}
