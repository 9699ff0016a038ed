package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class HandshakeTest {
  private static final List<Object> seenHeaders = new CopyOnWriteArrayList<>();
  private static ZocketServer server;

  @BeforeAll
  static void start() {
    server =
        Servers.standard()
            .authenticate(
                request -> {
                  String auth = request.headers().get("x-auth");
                  if ("none".equals(auth)) {
                    throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Log in first");
                  }
                  if ("guest".equals(auth)) {
                    throw new ZocketException(ErrorCodes.FORBIDDEN, "Guests may not connect");
                  }
                })
            .httpHandler(
                request -> {
                  if (!request.uri().equals("/hello")) {
                    return null;
                  }
                  return new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1,
                      HttpResponseStatus.OK,
                      Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
                })
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    LeakDetection.assertNoLeaks();
  }

  private static String whoami(JdkClient c) {
    String id = c.call("t.whoami", null);
    String reply = c.next();
    assertThat(reply)
        .startsWith("{\"type\":\"__rpc_res\",\"payload\":{\"name\":")
        .endsWith(",\"rpcId\":\"" + id + "\"}");
    return reply.substring(reply.indexOf("\"name\":\"") + 8, reply.indexOf("\",\"clientId\""));
  }

  @Test
  void bindsHeadersFromTheQuery() {
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=Alice")) {
      assertThat(whoami(c)).isEqualTo("Alice");
    }
  }

  @Test
  void appliesTheRecordDefault() {
    try (JdkClient c = JdkClient.connect(server.port(), "")) {
      assertThat(whoami(c)).isEqualTo("Anonymous");
    }
  }

  @Test
  void queryWinsOverHttpHeader() {
    try (JdkClient c =
        JdkClient.connect(server.port(), "?user-name=Alice", Map.of("user-name", "Bob"))) {
      assertThat(whoami(c)).isEqualTo("Alice");
    }
    try (JdkClient c = JdkClient.connect(server.port(), "", Map.of("user-name", "Bob"))) {
      assertThat(whoami(c)).isEqualTo("Bob");
    }
  }

  @Test
  void httpHeaderNamesAreCaseInsensitive() throws IOException {
    try (RawClient c = RawClient.connect(server.port(), "/", Map.of("USER-Name", "Carol"))) {
      c.sendText("{\"type\":\"t.whoami\",\"rpcId\":\"1\"}");
      assertThat(c.readSkippingPings().text())
          .startsWith("{\"type\":\"__rpc_res\",\"payload\":{\"name\":\"Carol\"");
    }
  }

  @Test
  void rejectsInvalidHeadersWith400AndNoUpgrade() throws IOException {
    RawClient.HttpReply reply = RawClient.upgrade(server.port(), "/?user-name=", Map.of());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.headers())
        .containsEntry("content-type", "application/json")
        .doesNotContainKey("upgrade");
    assertThat(reply.body())
        .isEqualTo(
            "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\",\"message\":\"must"
                + " not be blank\"}]}");

    reply = RawClient.upgrade(server.port(), "/", Map.of("user-name", "x".repeat(21)));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body())
        .isEqualTo(
            "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\",\"message\":\"size"
                + " must be between 0 and 20\"}]}");
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  void authenticatorAnswers401And403() throws IOException {
    RawClient.HttpReply reply =
        RawClient.upgrade(server.port(), "/?user-name=A", Map.of("x-auth", "none"));
    assertThat(reply.status()).isEqualTo(401);
    assertThat(reply.headers()).containsEntry("content-type", "application/json");
    assertThat(reply.body()).isEqualTo("{\"error\":\"Log in first\"}");

    reply = RawClient.upgrade(server.port(), "/?user-name=A", Map.of("x-auth", "guest"));
    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.body()).isEqualTo("{\"error\":\"Guests may not connect\"}");
  }

  @Test
  void plainHttpGoesToTheHttpHandlerOr426() throws Exception {
    HttpResponse<String> ok =
        JdkClient.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/hello"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("hello");
    assertThat(ok.headers().firstValue("content-length")).hasValue("5");

    HttpResponse<String> other =
        JdkClient.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/other"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(426); // every path is the WebSocket path here
  }

  @Test
  void versionMismatchIsAccepted() {
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=V&x-zocket-version=7.0.0")) {
      assertThat(whoami(c)).isEqualTo("V");
    }
  }

  @Test
  void clientIdsAreUniqueAndUnguessable() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      try (JdkClient c = JdkClient.connect(server.port(), "?user-name=U")) {
        String id = c.call("t.whoami", null);
        String reply = c.next();
        String clientId =
            reply.substring(reply.indexOf("\"clientId\":\"") + 12, reply.indexOf("\"},\"rpcId\""));
        assertThat(clientId).matches("[A-Za-z0-9_-]{22}");
        ids.add(clientId);
        assertThat(reply).endsWith("\"rpcId\":\"" + id + "\"}");
      }
    }
    assertThat(ids).hasSize(20);
  }

  @Test
  void fixedPathRejectsOtherPaths() throws Exception {
    try (ZocketServer ws = Servers.standard().path("/ws").start()) {
      assertThat(RawClient.upgrade(ws.port(), "/other?user-name=A", Map.of()).status())
          .isEqualTo(404);
      HttpResponse<String> plain =
          JdkClient.HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ws.port() + "/ws")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(426);
      HttpResponse<String> elsewhere =
          JdkClient.HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ws.port() + "/nope")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(elsewhere.statusCode()).isEqualTo(404);
      try (JdkClient c = JdkClient.connect(ws.port(), "ws?user-name=Dora")) {
        assertThat(whoami(c)).isEqualTo("Dora");
      }
    }
  }

  @Test
  void withoutAHeaderRecordHeadersAreAMap() {
    try (ZocketServer s =
        ZocketServer.builder()
            .onConnect(
                (headers, id) -> {
                  seenHeaders.add(headers);
                  return headers.get("user-name");
                })
            .handle(TestApi.Api.class, ctx -> new TestApi.ApiHandler(null))
            .host("127.0.0.1")
            .port(0)
            .start()) {
      try (JdkClient c =
          JdkClient.connect(s.port(), "?user-name=Eve&a=1", Map.of("X-Extra", "e"))) {
        c.sync();
      }
    }
    @SuppressWarnings("unchecked") // the default header type is Map<String, String>
    Map<String, String> headers = (Map<String, String>) seenHeaders.get(0);
    assertThat(headers)
        .containsEntry("user-name", "Eve")
        .containsEntry("a", "1")
        .containsEntry("x-extra", "e");
  }

  @Test
  void onlyRfc6455IsUpgradedOtherVersionsGet426() throws IOException {
    for (String version : new String[] {null, "0", "7", "8", "12", "14"}) {
      String head =
          exchange(
              server.port(),
              "GET /?user-name=A HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
                  + "\r\n");
      assertThat(head)
          .as("version %s", version)
          .startsWith("HTTP/1.1 426 ")
          .containsIgnoringCase("sec-websocket-version: 13")
          .endsWith("{\"error\":\"Unsupported WebSocket version\"}");
    }
  }

  @Test
  void anUpgradeOverHttp10OrWithABadKeyIsAnswered400WithoutUpgrading() throws IOException {
    String good = "dGhlIHNhbXBsZSBub25jZQ==";
    String[][] attempts = {
      {"HTTP/1.0", good}, {"HTTP/1.1", "c2hvcnQ="}, {"HTTP/1.1", "MDEyMzQ1Njc4OWFiY2RlZmc="}
    };
    for (String[] attempt : attempts) {
      String head = exchange(server.port(), upgradeRequest(attempt[0], attempt[1]));
      assertThat(head)
          .as("%s with key %s", attempt[0], attempt[1])
          .startsWith("HTTP/1.1 400 ")
          .doesNotContainIgnoringCase("sec-websocket-accept")
          .endsWith("{\"error\":\"Bad WebSocket handshake\"}");
    }
    // A healthy client's request, over HTTP/1.1 with a key of 16 bytes, is upgraded.
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(upgradeRequest("HTTP/1.1", good).getBytes(StandardCharsets.ISO_8859_1));
      byte[] status = s.getInputStream().readNBytes(12);
      assertThat(new String(status, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");
    }
  }

  private static String upgradeRequest(String httpVersion, String key) {
    return "GET /?user-name=A "
        + httpVersion
        + "\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: "
        + key
        + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  @Test
  void aMalformedUrlIsAnswered400() throws IOException {
    RawClient.HttpReply reply = RawClient.upgrade(server.port(), "/?user-name=%zz", Map.of());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body()).isEqualTo("{\"error\":\"Malformed URL\"}");
    assertThat(RawClient.http(server.port(), "GET", "/%", Map.of()).status()).isEqualTo(400);
  }

  @Test
  void allowedHostsRefuseOtherHostNames() throws IOException {
    try (ZocketServer s =
        Servers.standard().allowedHosts("127.0.0.1", "chat.example.com").start()) {
      assertThat(RawClient.upgrade(s.port(), "/?user-name=A", Map.of()).status()).isEqualTo(101);
      String rebound =
          exchange(s.port(), "GET / HTTP/1.1\r\nHost: rebound.attacker.example:80\r\n\r\n");
      assertThat(rebound).startsWith("HTTP/1.1 403 ").endsWith("{\"error\":\"Host not allowed\"}");
    }
    assertThatThrownBy(() -> ZocketServer.builder().allowedHosts("example.com:8080"))
        .hasMessage("Not a host name (without a port): 'example.com:8080'");
  }

  /** Sends a raw request and reads the whole answer, until the server closes. */
  private static String exchange(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
