package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://} from PEM files, a key store or an SslContext, with a certificate made here. */
@Timeout(60)
class TlsTest {
  @TempDir static Path dir;
  private static Certificates certificates;
  private static SslContext trusting;

  @BeforeAll
  static void makeCertificate() throws Exception {
    LeakDetection.install();
    certificates = Certificates.create(dir);
    trusting =
        SslContextBuilder.forClient()
            .trustManager(certificates.certificatePem().toFile())
            .endpointIdentificationAlgorithm("HTTPS")
            .build();
  }

  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void pemFiles() {
    try (ZocketServer s =
        Servers.standard()
            .tls(certificates.certificatePem(), certificates.privateKeyPem())
            .start()) {
      assertRoundTrip(s);
    }
  }

  @Test
  void keyStore() {
    try (ZocketServer s =
        Servers.standard().tlsKeyStore(certificates.keyStore(), certificates.password()).start()) {
      assertRoundTrip(s);
    }
  }

  @Test
  void sslContext() throws Exception {
    SslContext context =
        SslContextBuilder.forServer(
                certificates.certificatePem().toFile(), certificates.privateKeyPem().toFile())
            .build();
    try (ZocketServer s = Servers.standard().sslContext(context).start()) {
      assertRoundTrip(s);

      // The JDK's default trust does not know this certificate.
      SslContext defaults = SslContextBuilder.forClient().build();
      URI uri = URI.create("wss://127.0.0.1:" + s.port() + "/?user-name=A");
      assertThatThrownBy(
              () -> NettyClient.connect(uri, new NettyClient.Options().ssl(defaults)).close())
          .hasStackTraceContaining("PKIX");
      // Plain ws:// to the TLS port does not get a connection.
      assertThatThrownBy(() -> NettyClient.connect(URI.create("ws://127.0.0.1:" + s.port())))
          .isNotNull();
      assertRoundTrip(s); // the server is unharmed
    }
  }

  @Test
  void badSettingsAreRejected() throws Exception {
    assertThatThrownBy(
            () ->
                ZocketServer.builder()
                    .tls(certificates.privateKeyPem(), certificates.privateKeyPem()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Cannot use the certificate chain '" + certificates.privateKeyPem());
    assertThatThrownBy(
            () ->
                ZocketServer.builder().tlsKeyStore(certificates.keyStore(), "wrong".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot use the key store '" + certificates.keyStore());
    assertThatThrownBy(() -> ZocketServer.builder().sslContext(trusting))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sslContext must be a server context");
  }

  private static void assertRoundTrip(ZocketServer s) {
    URI uri = URI.create("wss://127.0.0.1:" + s.port() + "/?user-name=Tls");
    try (NettyClient c = NettyClient.connect(uri, new NettyClient.Options().ssl(trusting))) {
      c.send("{\"type\":\"t.whoami\",\"rpcId\":\"w\"}");
      assertThat(c.next()).startsWith("{\"type\":\"__rpc_res\",\"payload\":{\"name\":\"Tls\"");
      // Room events are written below the WebSocket encoder, still through TLS.
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"secure\"}}");
      c.send("{\"type\":\"t.rooms\",\"rpcId\":\"r\"}");
      assertThat(c.next()).contains("\"payload\":[\"secure\"]");
      s.emit(TestApi.Events.class).toRoom("secure").onText("over TLS");
      assertThat(c.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"over TLS\"}");
    }
  }
}
