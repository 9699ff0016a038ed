package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ZocketException;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * The client over {@code wss://} to a real {@link ZocketServer} serving a key store made here by
 * the JDK's {@code keytool}, trusting that certificate through its own trust store.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class SecureServerTest {
  private static final String PASSWORD = "changeit";
  @TempDir static Path dir;
  private static Path certificate;
  private static ZocketServer server;

  @BeforeAll
  static void start() throws Exception {
    Path keyStore = dir.resolve("server.p12");
    certificate = dir.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-keypass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        certificate.toString());
    server =
        ZocketServer.builder()
            .headers(ServerIntegrationTest.Headers.class)
            .onConnect((headers, clientId) -> headers.userName())
            .handle(Rooms.class, ServerIntegrationTest.RoomsHandler::new)
            .tlsKeyStore(keyStore, PASSWORD.toCharArray())
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
            .trustManager(certificate.toFile())
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

  private static void keytool(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
  }
}
