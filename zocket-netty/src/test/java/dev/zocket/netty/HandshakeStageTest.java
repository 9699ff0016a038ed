package dev.zocket.netty;

import static dev.zocket.netty.EmbeddedConnection.get;
import static dev.zocket.netty.EmbeddedConnection.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.netty.EmbeddedConnection.Response;
import dev.zocket.netty.TestApi.Api;
import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.netty.TestApi.Headers;
import dev.zocket.netty.TestApi.User;
import dev.zocket.test.LeakDetection;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handshake stage ({@link HandshakeHandler}) in the pipeline {@link ServerInitializer} builds,
 * in an {@link io.netty.channel.embedded.EmbeddedChannel}: what it answers each request (read from
 * what the channel wrote), and what it passes on to the frame stage (only an accepted upgrade opens
 * a connection there, with the headers bound).
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class HandshakeStageTest {
  private final List<Headers> connected = new ArrayList<>();
  private final List<EmbeddedConnection> connections = new ArrayList<>();

  @AfterEach
  void closeConnections() {
    connections.forEach(EmbeddedConnection::close);
  }

  /** A server whose {@code onConnect} records the headers it is passed. */
  private ZocketServer.Builder<Headers, User> server() {
    return ZocketServer.builder()
        .headers(Headers.class)
        .onConnect(
            (headers, clientId) -> {
              connected.add(headers);
              return new User(headers.userName(), clientId);
            })
        .handle(Api.class, ApiHandler::new);
  }

  private EmbeddedConnection connect(ZocketServer.Builder<?, ?> server) {
    return connect(EmbeddedConnection.pipeline(server));
  }

  private EmbeddedConnection connect(ServerInitializer pipeline) {
    EmbeddedConnection c = new EmbeddedConnection(pipeline);
    connections.add(c);
    return c;
  }

  /** Asserts the request was refused as a JSON error and the connection closed, not upgraded. */
  private void assertRefused(EmbeddedConnection c, int status, String body) {
    Response r = c.response();
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    assertThat(r.headers().contains("upgrade")).isFalse();
    assertThat(r.body()).isEqualTo(body);
    assertThat(c.wroteNothingMore()).isTrue();
    assertThat(c.channel.isOpen()).as("closed after the answer").isFalse();
    assertThat(c.frameStage().connection()).as("a connection in the frame stage").isNull();
    assertThat(connected).as("headers passed to onConnect").isEmpty();
  }

  /** Asserts the request was upgraded: 101, and a connection in the frame stage. */
  private static void assertUpgraded(EmbeddedConnection c) {
    Response r = c.response();
    assertThat(r.status()).isEqualTo(101);
    assertThat(r.headers().get("upgrade")).isEqualToIgnoringCase("websocket");
    assertThat(r.headers().get("sec-websocket-accept")).isEqualTo(EmbeddedConnection.ACCEPT);
    assertThat(c.channel.isOpen()).isTrue();
    assertThat(c.frameStage().connection()).isNotNull();
  }

  @Test
  void version13IsUpgradedAndTheFrameStageOpensTheConnection() {
    EmbeddedConnection c = connect(server());
    c.send(upgrade("/?user-name=Ann", "x-tag: blue"));
    assertUpgraded(c);
    assertThat(c.wroteNothingMore()).isTrue();
    assertThat(connected).containsExactly(new Headers("Ann", "blue"));
    // The HTTP stages made way for the WebSocket codec (one stage decodes and encodes), in front
    // of the frame stage.
    assertThat(c.channel.pipeline().names())
        .doesNotContain("http", "aggregator", "handshake", "wsencoder")
        .containsSubsequence("wsdecoder", "frames");
    // What follows is read as WebSocket frames and reaches the handlers.
    c.sendText("{\"type\":\"t.whoami\",\"rpcId\":\"w\"}");
    WebSocketFrame reply = c.frame();
    try {
      assertThat(reply.content().toString(StandardCharsets.UTF_8))
          .startsWith("{\"type\":\"__rpc_res\",\"payload\":{\"name\":\"Ann\",");
    } finally {
      reply.release();
    }
  }

  @Test
  void otherVersionsAreAnswered426WithTheVersionThisServerSpeaks() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server());
    for (String version : new String[] {null, "0", "7", "8", "12", "14", "130"}) {
      EmbeddedConnection c = connect(pipeline);
      String request =
          upgrade("/?user-name=Ann")
              .replace(
                  "Sec-WebSocket-Version: 13\r\n",
                  version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n");
      c.send(request);
      Response r = c.response();
      assertThat(r.status()).as("version %s", version).isEqualTo(426);
      assertThat(r.headers().get("sec-websocket-version")).isEqualTo("13");
      assertThat(r.body()).isEqualTo("{\"error\":\"Unsupported WebSocket version\"}");
      assertThat(c.wroteNothingMore()).isTrue();
      assertThat(c.channel.isOpen()).isFalse();
      assertThat(c.frameStage().connection()).isNull();
    }
    assertThat(connected).isEmpty();
  }

  @Test
  void anUpgradeOverHttp10OrWithAKeyThatIsNot16BytesIsAnswered400() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server());
    EmbeddedConnection http10 = connect(pipeline);
    http10.send(upgrade("/?user-name=Ann").replace(" HTTP/1.1\r\n", " HTTP/1.0\r\n"));
    assertRefused(http10, 400, "{\"error\":\"Bad WebSocket handshake\"}");

    String[] badKeys = {
      "", // empty
      "c2hvcnQ=", // "short": 5 bytes
      "MDEyMzQ1Njc4OWFiY2RlZmc=", // 17 bytes
      "MDEyMzQ1Njc4OWFiY2Rl", // 15 bytes, unpadded
      "dGhlIHNhbXBsZSBub25jZQ", // 16 bytes without the padding RFC 4648 requires
      "not*base64*at*all*here!!", // 24 characters, not base64
    };
    for (String key : badKeys) {
      EmbeddedConnection c = connect(pipeline);
      c.send(upgrade("/?user-name=Ann").replace(EmbeddedConnection.KEY, key));
      assertRefused(c, 400, "{\"error\":\"Bad WebSocket handshake\"}");
    }

    // The same request over HTTP/1.1 with a key of 16 bytes is upgraded.
    EmbeddedConnection good = connect(pipeline);
    good.send(upgrade("/?user-name=Ann"));
    assertUpgraded(good);
  }

  @Test
  void aMalformedQueryIsAnswered400() {
    EmbeddedConnection c = connect(server());
    c.send(upgrade("/?user-name=%zz"));
    assertRefused(c, 400, "{\"error\":\"Malformed URL\"}");

    EmbeddedConnection plain = connect(server());
    plain.send(get("/%"));
    assertRefused(plain, 400, "{\"error\":\"Malformed URL\"}");
  }

  @Test
  void headersThatDoNotValidateAreAnswered400WithTheirViolations() {
    EmbeddedConnection c = connect(server());
    c.send(upgrade("/?user-name=", "x-tag: blue"));
    assertRefused(
        c,
        400,
        "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\",\"message\":\"must"
            + " not be blank\"}]}");
  }

  @Test
  void aRequestTheHttpCodecCannotReadIsAnswered400() {
    EmbeddedConnection c = connect(server());
    c.send(
        upgrade(
            "/?user-name=Ann", "x-long: " + "x".repeat(ServerInitializer.MAX_HTTP_REQUEST_BYTES)));
    assertRefused(c, 400, "{\"error\":\"Bad request\"}");
  }

  @Test
  void withoutAnAllowListOnlyTheServersOwnOriginIsUpgraded() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server());
    EmbeddedConnection foreign = connect(pipeline);
    foreign.send(upgrade("/?user-name=Ann", "Origin: http://evil.example"));
    assertRefused(foreign, 403, "{\"error\":\"Origin not allowed\"}");

    EmbeddedConnection otherPort = connect(pipeline);
    otherPort.send(upgrade("/?user-name=Ann", "Origin: http://127.0.0.1:8080"));
    assertRefused(otherPort, 403, "{\"error\":\"Origin not allowed\"}");

    EmbeddedConnection same = connect(pipeline);
    same.send(upgrade("/?user-name=Ann", "Origin: http://127.0.0.1"));
    assertUpgraded(same);

    EmbeddedConnection none = connect(pipeline);
    none.send(upgrade("/?user-name=Bob"));
    assertUpgraded(none);
    assertThat(connected).containsExactly(new Headers("Ann", null), new Headers("Bob", null));
  }

  @Test
  void anAllowListDecidesTheOrigin() {
    ServerInitializer pipeline =
        EmbeddedConnection.pipeline(server().allowedOrigins("https://chat.example.com"));
    EmbeddedConnection own = connect(pipeline);
    own.send(upgrade("/?user-name=Eve", "Origin: http://127.0.0.1"));
    assertRefused(own, 403, "{\"error\":\"Origin not allowed\"}");

    EmbeddedConnection allowed = connect(pipeline);
    allowed.send(upgrade("/?user-name=Ann", "Origin: https://chat.example.com"));
    assertUpgraded(allowed);
    assertThat(connected).containsExactly(new Headers("Ann", null));
  }

  @Test
  void aHostNotAllowedIsAnswered403() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server().allowedHosts("127.0.0.1"));
    EmbeddedConnection rebound = connect(pipeline);
    rebound.send(upgrade("/?user-name=Eve", "Host: rebound.attacker.example"));
    assertRefused(rebound, 403, "{\"error\":\"Host not allowed\"}");

    EmbeddedConnection plain = connect(pipeline);
    plain.send(get("/", "Host: rebound.attacker.example"));
    assertRefused(plain, 403, "{\"error\":\"Host not allowed\"}");

    EmbeddedConnection otherPort = connect(pipeline); // the port is not compared
    otherPort.send(upgrade("/?user-name=Ann", "Host: 127.0.0.1:8080"));
    assertUpgraded(otherPort);
  }

  @Test
  void onlyTheWebSocketPathIsUpgradedAndPlainRequestsAreAnswered() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server().path("/ws"));
    EmbeddedConnection other = connect(pipeline);
    other.send(upgrade("/other?user-name=Ann"));
    assertRefused(other, 404, "{\"error\":\"Not found\"}");

    // Plain requests on a kept-alive connection: 426 on the WebSocket path, 404 elsewhere.
    EmbeddedConnection plain = connect(pipeline);
    plain.send(get("/ws"));
    Response upgradeRequired = plain.response();
    assertThat(upgradeRequired.status()).isEqualTo(426);
    assertThat(upgradeRequired.headers().get("upgrade")).isEqualTo("websocket");
    assertThat(upgradeRequired.body()).isEqualTo("{\"error\":\"WebSocket upgrade required\"}");
    assertThat(plain.channel.isOpen()).isTrue();
    plain.send(get("/nope", "Connection: close"));
    assertRefused(plain, 404, "{\"error\":\"Not found\"}");

    EmbeddedConnection ws = connect(pipeline);
    ws.send(upgrade("/ws?user-name=Ann"));
    assertUpgraded(ws);
    assertThat(connected).containsExactly(new Headers("Ann", null));
  }

  @Test
  void theAuthenticatorAnswers401Or403BeforeTheHeadersAreBound() {
    ServerInitializer pipeline =
        EmbeddedConnection.pipeline(
            server()
                .authenticate(
                    request -> {
                      String auth = request.headers().get("x-auth");
                      if (auth == null) {
                        throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Log in first");
                      }
                      if (auth.equals("guest")) {
                        throw new ZocketException(ErrorCodes.FORBIDDEN, "Guests may not connect");
                      }
                    }));
    EmbeddedConnection anonymous = connect(pipeline);
    anonymous.send(upgrade("/?user-name="));
    assertRefused(anonymous, 401, "{\"error\":\"Log in first\"}");

    EmbeddedConnection guest = connect(pipeline);
    guest.send(upgrade("/?user-name=Ann", "x-auth: guest"));
    assertRefused(guest, 403, "{\"error\":\"Guests may not connect\"}");

    EmbeddedConnection member = connect(pipeline);
    member.send(upgrade("/?user-name=Ann", "x-auth: member"));
    assertUpgraded(member);
  }

  @Test
  void aFullServerAnswers503UntilAPlaceFreesUp() {
    ServerInitializer pipeline = EmbeddedConnection.pipeline(server().maxConnections(1));
    EmbeddedConnection first = connect(pipeline); // counted from the start, before any request
    EmbeddedConnection second = connect(pipeline);
    second.send(upgrade("/?user-name=Bob"));
    assertRefused(second, 503, "{\"error\":\"Server is full\"}");

    first.close();
    EmbeddedConnection third = connect(pipeline);
    third.send(upgrade("/?user-name=Carol"));
    assertUpgraded(third);
    assertThat(connected).containsExactly(new Headers("Carol", null));
  }
}
