package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;

/**
 * On Spring Boot 3.5 the application stops at once, before the context refreshes, with a message
 * that names what to change, not with a NoClassDefFoundError from Netty 4.1.
 */
@Timeout(60)
class StartOnBoot35Test {

  @Test
  void startFailsNamingTheVersionsFoundAndNeeded() {
    Throwable failure = catchThrowable(() -> SpringApplication.run(HelloZocketApplication.class));

    assertThat(failure).isInstanceOf(IllegalStateException.class).hasNoCause();
    // Netty: the dependency, the version found (Boot 3.5.7 manages 4.1.128.Final), the version
    // needed and the property to set.
    assertThat(failure.getMessage())
        .contains("Zocket needs Netty 4.2 or later")
        .contains("io.netty:netty-common 4.1.128.Final")
        .contains("managed by Spring Boot 3.5.7")
        .contains("<netty.version>4.2.18.Final</netty.version>");
    // Spring Boot itself: the starter is for Boot 4.
    assertThat(failure.getMessage())
        .contains("zocket-spring-boot-starter needs Spring Boot 4.0 or later")
        .contains("Spring Boot 3.5.7 is on the class path");
  }
}
