package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.client.TestContracts.JoinRoom;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://}: a user-supplied trust store works; the JDK's default refuses an unknown CA. */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class TlsTest {
  private static Certificates certificates;
  private static RawServer server;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    certificates = Certificates.create(dir);
    SslContext serverContext =
        SslContextBuilder.forServer(certificates.privateKey(), certificates.certificate()).build();
    server = RawServer.startTls(serverContext);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void talksOverTlsWithTheGivenTrust() throws Exception {
    SslContext trusting =
        SslContextBuilder.forClient().trustManager(certificates.trustManagerFactory()).build();
    try (ZocketClient client =
        ZocketClient.builder(server.uri())
            .sslContext(trusting)
            .reconnect(ReconnectPolicy.disabled())
            .connect()) {
      assertThat(server.uri().getScheme()).isEqualTo("wss");
      client.proxy(Rooms.class).join(new JoinRoom("secure"));
      assertThat(server.take())
          .isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"secure\"}}");
      CompletableFuture<java.util.List<String>> members =
          client.proxy(Rooms.class).members(new JoinRoom("secure"));
      server.take();
      server.send("{\"type\":\"__rpc_res\",\"payload\":[\"x\"],\"rpcId\":\"1\"}");
      assertThat(members.get(5, TimeUnit.SECONDS)).containsExactly("x");
    }
  }

  @Test
  void defaultTrustRefusesAnUnknownCertificate() {
    assertThatThrownBy(
            () ->
                ZocketClient.builder(server.uri()).reconnect(ReconnectPolicy.disabled()).connect())
        .isInstanceOf(ZocketException.class)
        .hasMessageStartingWith("Could not connect to " + server.uri() + ": ")
        .extracting(t -> ((ZocketException) t).code())
        .isEqualTo(ErrorCodes.DISCONNECTED);
  }
}
