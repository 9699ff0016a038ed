package dev.zocket.netty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 made in the test by the JDK's {@code keytool}, as a
 * PKCS#12 key store and as PEM files (certificate, PKCS#8 key).
 */
final class Certificates {
  static final char[] PASSWORD = "changeit".toCharArray();

  final Path keyStore;
  final Path certificatePem;
  final Path privateKeyPem;

  private Certificates(Path keyStore, Path certificatePem, Path privateKeyPem) {
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
    this.privateKeyPem = privateKeyPem;
  }

  static Certificates create(Path dir) throws IOException, GeneralSecurityException {
    Path keyStore = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool,
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
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(
            "keytool failed: "
                + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    KeyStore store = KeyStore.getInstance(keyStore.toFile(), PASSWORD);
    Certificate certificate = store.getCertificate("server");
    PrivateKey key = (PrivateKey) store.getKey("server", PASSWORD);
    Path certificatePem = dir.resolve("server.crt");
    Path privateKeyPem = dir.resolve("server.key");
    Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(privateKeyPem, pem("PRIVATE KEY", key.getEncoded()));
    return new Certificates(keyStore, certificatePem, privateKeyPem);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
