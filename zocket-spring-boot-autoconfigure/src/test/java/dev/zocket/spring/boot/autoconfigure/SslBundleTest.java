package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ZocketException;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import dev.zocket.spring.boot.autoconfigure.sample.SampleApp;
import dev.zocket.test.Certificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code zocket.server.ssl.bundle} serves {@code wss://} with a key and certificate from Boot's SSL
 * bundles ({@code spring.ssl.bundle.pem.*}), made here; a client that trusts the certificate makes
 * a typed call, one that does not is refused.
 */
@Timeout(60)
class SslBundleTest {
  @TempDir static Path dir;
  private static Certificates certificates;
  private static ConfigurableApplicationContext context;

  @BeforeAll
  static void start() throws Exception {
    certificates = Certificates.create(dir);
    context =
        new SpringApplicationBuilder(SampleApp.class)
            .properties(
                "zocket.server.host=127.0.0.1",
                "zocket.server.port=0",
                "zocket.server.ssl.bundle=zocket",
                "spring.ssl.bundle.pem.zocket.keystore.certificate=file:"
                    + certificates.certificatePem(),
                "spring.ssl.bundle.pem.zocket.keystore.private-key=file:"
                    + certificates.privateKeyPem())
            .run();
  }

  @AfterAll
  static void stop() {
    context.close();
  }

  @Test
  void aClientThatTrustsTheBundlesCertificateCallsOverWss() throws Exception {
    String uri = context.getEnvironment().getProperty("local.zocket.uri");
    assertThat(uri).startsWith("wss://127.0.0.1:");
    SslContext trust =
        SslContextBuilder.forClient()
            .trustManager(certificates.certificatePem().toFile())
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
    try (ZocketClient client =
        ZocketClient.builder(URI.create(uri))
            .sslContext(trust)
            .reconnect(ReconnectPolicy.disabled())
            .connect()) {
      Greeter.Greeting reply = client.proxy(Greeter.class).greet(new Greeter.Greet("Ada"));
      assertThat(reply.text()).contains("Ada");
    }
  }

  @Test
  void aClientThatDoesNotTrustItIsRefused() {
    String uri = context.getEnvironment().getProperty("local.zocket.uri");
    assertThatThrownBy(
            () ->
                ZocketClient.builder(URI.create(uri))
                    .reconnect(ReconnectPolicy.disabled())
                    .connect())
        .isInstanceOf(ZocketException.class)
        .hasStackTraceContaining("PKIX");
  }
}
