package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.client.HandshakeRejectedException;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.Authenticator;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import dev.zocket.spring.boot.autoconfigure.sample.SampleApp;
import java.time.Instant;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * An {@link Authenticator} bean checks every handshake: here docs/spring-boot.md's, which verifies
 * a bearer token with Spring Security's {@link JwtDecoder} ({@link JwtAuthenticatorConfig}).
 */
@Timeout(60)
class AuthenticatorTest {
  private static final SecretKeySpec KEY =
      new SecretKeySpec("0123456789abcdef0123456789abcdef".getBytes(), "HmacSHA256");
  private static final SecretKeySpec OTHER_KEY =
      new SecretKeySpec("fedcba9876543210fedcba9876543210".getBytes(), "HmacSHA256");

  private ConfigurableApplicationContext context;

  @Configuration(proxyBeanMethods = false)
  static class Decoder {
    @Bean
    JwtDecoder jwtDecoder() {
      return NimbusJwtDecoder.withSecretKey(KEY).macAlgorithm(MacAlgorithm.HS256).build();
    }
  }

  @BeforeEach
  void start() {
    context =
        new SpringApplicationBuilder(SampleApp.class, Decoder.class, JwtAuthenticatorConfig.class)
            .properties("zocket.server.host=127.0.0.1", "zocket.server.port=0")
            .run();
  }

  @AfterEach
  void stop() {
    context.close();
  }

  @Test
  void aValidTokenConnects() {
    try (ZocketClient client = connect(token(KEY, "ada"))) {
      assertThat(client.proxy(Greeter.class).greet(new Greeter.Greet("Ada")).text())
          .isEqualTo("Hello, Ada!");
    }
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRejectedWith401() {
    assertThatThrownBy(() -> connect(token(OTHER_KEY, "mallory")))
        .isInstanceOfSatisfying(
            HandshakeRejectedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.body()).contains("Invalid token");
            });
  }

  @Test
  void noTokenIsRejectedWith401() {
    assertThatThrownBy(
            () ->
                ZocketClient.builder(context.getBean(ZocketServerLifecycle.class).server().uri())
                    .connect())
        .isInstanceOfSatisfying(
            HandshakeRejectedException.class, e -> assertThat(e.body()).contains("Missing token"));
  }

  private ZocketClient connect(String token) {
    return ZocketClient.builder(context.getBean(ZocketServerLifecycle.class).server().uri())
        .header("access_token", token) // Zocket's clients send headers in the query string
        .connect();
  }

  private static String token(SecretKeySpec key, String subject) {
    NimbusJwtEncoder encoder = NimbusJwtEncoder.withSecretKey(key).build();
    JwtClaimsSet claims =
        JwtClaimsSet.builder()
            .subject(subject)
            .issuedAt(Instant.now())
            .expiresAt(Instant.now().plusSeconds(60))
            .build();
    return encoder
        .encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
        .getTokenValue();
  }
}
