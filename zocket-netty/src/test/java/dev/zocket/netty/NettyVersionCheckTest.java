package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import org.junit.jupiter.api.Test;

class NettyVersionCheckTest {

  @Test
  void netty41IsRefusedWithTheVersionFoundAndThePropertyToSet() {
    assertThat(NettyVersionCheck.problem("4.1.128.Final"))
        .isEqualTo(
            "Zocket needs Netty 4.2 or later, but io.netty:netty-common 4.1.128.Final is on the"
                + " class path (Spring Boot 3.x, for one, manages Netty 4.1). Set the Netty"
                + " version to 4.2.18.Final: with Spring Boot's parent POM,"
                + " <netty.version>4.2.18.Final</netty.version> in <properties>; with Gradle and"
                + " Spring's dependency-management plugin, ext['netty.version'] = '4.2.18.Final';"
                + " otherwise import io.netty:netty-bom:4.2.18.Final before any other BOM");
  }

  @Test
  void netty42AndLaterAndUnknownVersionsPass() {
    assertThat(NettyVersionCheck.problem("4.2.0.Final")).isNull();
    assertThat(NettyVersionCheck.problem("4.2.15.Final")).isNull();
    assertThat(NettyVersionCheck.problem("5.0.0.Alpha1")).isNull();
    assertThat(NettyVersionCheck.problem("unknown")).isNull();
    assertThat(NettyVersionCheck.problem("3.10.6.Final")).isNotNull();
  }

  @Test
  void theNettyOfThisBuildPasses() {
    assertThat(Version.identify().get("netty-common")).isNotNull();
    NettyVersionCheck.check();
    assertThat(ZocketServer.builder()).isNotNull();
  }
}
