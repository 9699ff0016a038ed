package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ZocketException;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over {@code wss://} to a real {@link ZocketServer} serving a key store of a
 * certificate made here, trusting that certificate through its own trust store.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class SecureServerTest {
  @TempDir static Path dir;
  private static Certificates certificates;
  private static ZocketServer server;

  @BeforeAll
  static void start() throws Exception {
    certificates = Certificates.create(dir);
    server =
        ZocketServer.builder()
            .headers(ServerIntegrationTest.Headers.class)
            .onConnect((headers, clientId) -> headers.userName())
            .handle(Rooms.class, ServerIntegrationTest.RoomsHandler::new)
            .tlsKeyStore(certificates.keyStore(), certificates.password())
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void callsOverWssWithACustomTrustStore() throws Exception {
    SslContext trust =
        SslContextBuilder.forClient()
            .trustManager(certificates.certificatePem().toFile())
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
    try (ZocketClient client =
        ZocketClient.builder(uri())
            .header("user-name", "Ann")
            .sslContext(trust)
            .reconnect(ReconnectPolicy.disabled())
            .connect()) {
      Rooms rooms = client.proxy(Rooms.class);
      assertThat(rooms.echo("hi")).isEqualTo("hi from Ann");
      assertThat(rooms.members(new TestContracts.JoinRoom("vault")).get(5, TimeUnit.SECONDS))
          .isEqualTo(List.of("Ann", "vault"));
    }
  }

  @Test
  void theDefaultTrustRefusesTheServer() {
    assertThatThrownBy(
            () ->
                ZocketClient.builder(uri())
                    .header("user-name", "Ann")
                    .reconnect(ReconnectPolicy.disabled())
                    .connect())
        .isInstanceOf(ZocketException.class);
  }

  private static URI uri() {
    return URI.create("wss://127.0.0.1:" + server.port());
  }
}
