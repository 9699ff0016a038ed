package dev.zocket.test;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code 127.0.0.1} and its private key, for tests of {@code wss://}:
 * subject {@code CN=127.0.0.1}, subject alternative name {@code ip:127.0.0.1}, an EC key on P-256,
 * valid from a day ago to a day from now. Made in memory with Netty's {@code netty-pkitesting}, and
 * written to a folder as a PKCS#12 key store and as PEM files, the forms a server reads:
 *
 * <pre>{@code
 * @TempDir static Path dir;
 *
 * Certificates certificates = Certificates.create(dir);
 * ZocketServer server = ZocketServer.builder()
 *     .tlsKeyStore(certificates.keyStore(), certificates.password())
 *     // or .tls(certificates.certificatePem(), certificates.privateKeyPem())
 *     ...
 * SslContext trusting = SslContextBuilder.forClient()
 *     .trustManager(certificates.trustManagerFactory()).build();
 * }</pre>
 *
 * <p>Clients trust it through {@link #trustManagerFactory()} or the PEM file {@link
 * #certificatePem()}; with host name verification on they accept it for {@code 127.0.0.1} only.
 * Immutable.
 */
public final class Certificates {
  private static final String PASSWORD = "changeit";

  private final X509Bundle bundle;
  private final Path keyStore;
  private final Path certificatePem;
  private final Path privateKeyPem;

  private Certificates(X509Bundle bundle, Path keyStore, Path certificatePem, Path privateKeyPem) {
    this.bundle = bundle;
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
    this.privateKeyPem = privateKeyPem;
  }

  /**
   * Makes a new key pair and certificate, and writes them into {@code dir}: {@code server.p12},
   * {@code server.crt} and {@code server.key}.
   *
   * @param dir an existing folder, such as a JUnit {@code @TempDir}
   * @return the certificates
   * @throws IOException if a file cannot be written
   * @throws GeneralSecurityException if the key or the certificate cannot be made
   */
  public static Certificates create(Path dir) throws IOException, GeneralSecurityException {
    Objects.requireNonNull(dir, "dir == null");
    Instant now = Instant.now();
    X509Bundle bundle;
    try {
      bundle =
          new CertificateBuilder()
              .subject("CN=127.0.0.1")
              .addSanIpAddress("127.0.0.1")
              .ecp256()
              .notBefore(now.minus(Duration.ofDays(1)))
              .notAfter(now.plus(Duration.ofDays(1)))
              .setIsCertificateAuthority(true) // its own trust anchor
              .buildSelfSigned();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw e;
    } catch (Exception e) { // buildSelfSigned declares Exception
      throw new GeneralSecurityException("Cannot make the certificate: " + e.getMessage(), e);
    }
    Path keyStore = dir.resolve("server.p12");
    KeyStore store = bundle.toKeyStore(PASSWORD.toCharArray());
    try (OutputStream out = Files.newOutputStream(keyStore)) {
      store.store(out, PASSWORD.toCharArray());
    }
    Path certificatePem = dir.resolve("server.crt");
    Files.writeString(certificatePem, bundle.getCertificatePEM(), StandardCharsets.US_ASCII);
    Path privateKeyPem = dir.resolve("server.key");
    Files.writeString(privateKeyPem, bundle.getPrivateKeyPEM(), StandardCharsets.US_ASCII);
    return new Certificates(bundle, keyStore, certificatePem, privateKeyPem);
  }

  /**
   * The PKCS#12 key store file: one private key entry, the key and its certificate, protected by
   * {@link #password()} (the store and the key alike).
   *
   * @return the key store file
   */
  public Path keyStore() {
    return keyStore;
  }

  /**
   * The password of the {@link #keyStore()} and of its key: a new array on each call.
   *
   * @return the password
   */
  public char[] password() {
    return PASSWORD.toCharArray();
  }

  /**
   * The certificate as a PEM file ({@code -----BEGIN CERTIFICATE-----}).
   *
   * @return the PEM file
   */
  public Path certificatePem() {
    return certificatePem;
  }

  /**
   * The private key as an unencrypted PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}).
   *
   * @return the PEM file
   */
  public Path privateKeyPem() {
    return privateKeyPem;
  }

  /**
   * The certificate.
   *
   * @return the certificate
   */
  public X509Certificate certificate() {
    return bundle.getCertificate();
  }

  /**
   * The private key of the certificate.
   *
   * @return the private key
   */
  public PrivateKey privateKey() {
    return bundle.getKeyPair().getPrivate();
  }

  /**
   * Trust material for clients: a trust manager factory that trusts this certificate and no other,
   * for example for {@code SslContextBuilder.forClient().trustManager(factory)}.
   *
   * @return the trust manager factory
   */
  public TrustManagerFactory trustManagerFactory() {
    return bundle.toTrustManagerFactory();
  }
}
