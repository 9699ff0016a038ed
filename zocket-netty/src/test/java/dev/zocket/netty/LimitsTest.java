package dev.zocket.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.JsonLimits;
import dev.zocket.ZocketException;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every per-connection and per-server limit, the origin check and the token authenticator, each
 * against a real server.
 */
@Timeout(60)
class LimitsTest {
  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  private static String error(String rpcId, String code) {
    return "\"rpcId\":\"" + rpcId + "\",\"error\":{\"code\":\"" + code + "\"";
  }

  @Test
  void roomsPerConnection() {
    try (ZocketServer s = Servers.standard().maxRoomsPerConnection(2).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      for (String room : List.of("a", "b")) {
        c.call("t.join", "{\"roomId\":\"" + room + "\"}");
        assertThat(c.next()).doesNotContain("error");
      }
      String id = c.call("t.join", "{\"roomId\":\"c\"}");
      assertThat(c.next())
          .contains(error(id, ErrorCodes.LIMIT_EXCEEDED))
          .contains("at most 2 rooms");
      c.call("t.join", "{\"roomId\":\"a\"}"); // joining a room again is no new room
      assertThat(c.next()).doesNotContain("error");
      c.call("t.rooms", null);
      assertThat(c.next()).contains("\"payload\":[\"a\",\"b\"]");
    }
  }

  @Test
  void roomIdLength() throws InterruptedException {
    BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    try (ZocketServer s =
            Servers.standard()
                .maxRoomIdLength(8)
                .intercept(
                    (ctx, route, payload) -> {
                      if (route.equals("t.seq")) {
                        for (String room : List.of("12345678", "123456789")) {
                          try {
                            ctx.rooms().join(room);
                            outcomes.add("joined " + room);
                          } catch (ZocketException e) {
                            outcomes.add(e.code() + " " + e.getMessage());
                          }
                        }
                      }
                    })
                .start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      c.sync();
      assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("joined 12345678");
      assertThat(outcomes.poll(10, TimeUnit.SECONDS))
          .isEqualTo("LIMIT_EXCEEDED A room id may have at most 8 characters; this one has 9");
    }
  }

  @Test
  void connectionsPerServerAreCappedWith503() throws Exception {
    try (ZocketServer s = Servers.standard().maxConnections(2).start()) {
      JdkClient a = JdkClient.connect(s.port(), "?user-name=A");
      JdkClient b = JdkClient.connect(s.port(), "?user-name=B");
      RawClient.HttpReply full = RawClient.upgrade(s.port(), "/?user-name=C", Map.of());
      assertThat(full.status()).isEqualTo(503);
      assertThat(full.headers().get("content-type")).isEqualTo("application/json");
      assertThat(full.body()).isEqualTo("{\"error\":\"Server is full\"}");
      b.sync();

      a.close(); // its place frees up once the server has seen the close
      JdkClient c =
          Await.value(
              "a place for C once A has gone",
              () -> {
                try {
                  return JdkClient.connect(s.port(), "?user-name=C");
                } catch (RuntimeException e) {
                  return null; // 503 while the server has not seen the close yet
                }
              });
      c.sync();
      c.close();
      b.close();
    }
  }

  @Test
  void socketsStillSendingTheirRequestCountTowardTheLimit() throws Exception {
    // One I/O thread: sockets are counted in the order they were accepted.
    try (ZocketServer s = Servers.standard().ioThreads(1).maxConnections(2).start();
        Socket quiet1 = new Socket("127.0.0.1", s.port());
        Socket quiet2 = new Socket("127.0.0.1", s.port())) {
      RawClient.HttpReply full = RawClient.upgrade(s.port(), "/?user-name=C", Map.of());
      assertThat(full.status()).isEqualTo(503);
      assertThat(full.body()).isEqualTo("{\"error\":\"Server is full\"}");
      assertThat(quiet1.isConnected() && quiet2.isConnected()).isTrue();
    }
  }

  @Test
  void theLimitPerAddressAnswers429() throws Exception {
    try (ZocketServer s = Servers.standard().ioThreads(1).maxConnectionsPerAddress(1).start();
        JdkClient a = JdkClient.connect(s.port(), "?user-name=A")) {
      RawClient.HttpReply second = RawClient.upgrade(s.port(), "/?user-name=B", Map.of());
      assertThat(second.status()).isEqualTo(429);
      assertThat(second.body()).isEqualTo("{\"error\":\"Too many connections\"}");
      a.sync();
    }
  }

  @Test
  void aRequestMustBeWholeWithinTheHandshakeTimeoutHoweverSlowlyItDrips() throws Exception {
    try (ZocketServer s = Servers.standard().handshakeTimeout(Duration.ofMillis(300)).start();
        Socket drip = new Socket("127.0.0.1", s.port())) {
      byte[] request = "GET /?user-name=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(UTF_8);
      boolean closed = false;
      for (int i = 0; i < request.length && !closed; i++) {
        try {
          drip.getOutputStream().write(request[i]); // a byte every 50 ms: never silent for long
          Thread.sleep(50);
        } catch (IOException e) {
          closed = true; // the server has closed it
        }
      }
      // Cut while it still dripped (about 2.4 s of bytes against a 300 ms deadline; a busy machine
      // only makes the drip last longer), not once the bytes ran out.
      assertThat(closed).as("the socket was cut before its request's last byte").isTrue();
    }
  }

  @Test
  void aRateLimitThrottlesByDefault() {
    TestApi.ApiHandler.log.clear();
    try (ZocketServer s = Servers.standard().rateLimit(50, 5).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      long start = System.nanoTime();
      // Rounds of 10: each is read at once, leaves a debt, and pauses reading until it is paid.
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 5; i++) {
          c.send("{\"type\":\"t.record\",\"payload\":\"r" + (round * 5 + i) + "\"}");
        }
        for (int i = 0; i < 5; i++) {
          c.call("t.seq", String.valueOf(round * 5 + i));
        }
        for (int i = 0; i < 5; i++) {
          assertThat(c.next()).contains("\"payload\":\"seq " + (round * 5 + i) + "\"");
        }
      }
      // After a burst of 5 at 50 a second, the fourth round cannot be read before 0.5 s.
      assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(450));
      List<String> recorded = new ArrayList<>();
      TestApi.ApiHandler.log.drainTo(recorded);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        expected.add("A:r" + i);
      }
      assertThat(recorded).isEqualTo(expected);
      assertThat(s.droppedMessages()).isZero();
    }
  }

  @Test
  void callsBeyondTheRateAreRejectedUnderTheRejectPolicy() throws InterruptedException {
    try (ZocketServer s =
            Servers.standard().rateLimit(1, 5).rateLimitPolicy(RateLimitPolicy.REJECT).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ids.add(c.call("t.seq", String.valueOf(i)));
      }
      Map<String, String> replies = new HashMap<>();
      for (int i = 0; i < 8; i++) {
        String reply = c.next();
        replies.put(reply.substring(reply.indexOf("\"rpcId\":\"") + 9).split("\"")[0], reply);
      }
      // A rejection is written at once; it may overtake the answers of earlier calls.
      for (int i = 0; i < 5; i++) {
        assertThat(replies.get(ids.get(i))).contains("\"payload\":\"seq " + i + "\"");
      }
      assertThat(replies.get(ids.get(7)))
          .contains(error(ids.get(7), ErrorCodes.RATE_LIMITED))
          .contains("Too many messages per second");
      long limited =
          replies.values().stream().filter(r -> r.contains(ErrorCodes.RATE_LIMITED)).count();
      assertThat(limited).isBetween(2L, 3L); // 5 at once, maybe one more refilled meanwhile
      // Messages without rpcId beyond the rate are dropped, and counted; the ones a refilled
      // token let through are handled. The call's answer comes after the I/O thread saw them all.
      TestApi.ApiHandler.log.clear();
      for (int i = 0; i < 5; i++) {
        c.send("{\"type\":\"t.record\",\"payload\":\"over" + i + "\"}");
      }
      String id = c.call("t.seq", "9");
      assertThat(c.next()).contains("\"rpcId\":\"" + id + "\"");
      long dropped = s.droppedMessages(DropReason.RATE_LIMITED);
      assertThat(dropped).isBetween(1L, 5L);
      for (long i = dropped; i < 5; i++) {
        assertThat(TestApi.ApiHandler.log.poll(10, TimeUnit.SECONDS)).startsWith("A:over");
      }
      assertThat(s.droppedMessages()).isEqualTo(dropped);
    }
  }

  @Test
  void theCloseRatePolicyClosesWith1008() throws IOException {
    try (ZocketServer s =
            Servers.standard().rateLimit(1, 3).rateLimitPolicy(RateLimitPolicy.CLOSE).start();
        RawClient c = RawClient.connect(s.port(), "/?user-name=A")) {
      // Six messages in one write: a client that stopped sending once the close arrived (as the
      // JDK's does) could not send the ones after the fourth when the close is quick.
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 0; i < 6; i++) {
        String message = "{\"type\":\"t.record\",\"payload\":\"r" + i + "\"}";
        burst.writeBytes(RawClient.frame(RawClient.TEXT, true, 0, message.getBytes(UTF_8)));
      }
      c.sendRaw(burst.toByteArray());
      RawClient.Frame f = c.read();
      while (f != null && f.opcode() != RawClient.CLOSE) {
        f = c.read();
      }
      assertThat(f).as("the close frame").isNotNull();
      assertThat(f.closeStatus()).isEqualTo(1008);
    }
  }

  @Test
  void callsInFlightAreCapped() {
    try (ZocketServer s = Servers.standard().maxCallsInFlight(2).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      String first = c.call("t.sleep", "300");
      String second = c.call("t.sleep", "1");
      String third = c.call("t.seq", "3");
      assertThat(c.next()).contains(error(third, ErrorCodes.RATE_LIMITED)).contains("in flight");
      assertThat(c.next()).contains("\"rpcId\":\"" + first + "\"").contains("slept 300");
      assertThat(c.next()).contains("\"rpcId\":\"" + second + "\"").contains("slept 1");
      c.sync(); // the answered calls are no longer in flight
    }
  }

  @Test
  void jsonBeyondItsLimitsIsDroppedAndTheConnectionStaysUsable() {
    try (ZocketServer s = Servers.standard().jsonLimits(new JsonLimits(4, 16, 10, 16)).start();
        JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
      c.send("{\"type\":\"t.echo\",\"payload\":" + "[".repeat(10) + "]".repeat(10) + "}");
      c.send("{\"type\":\"t.echo\",\"payload\":{\"text\":\"" + "x".repeat(17) + "\",\"n\":1}}");
      c.send("{\"type\":\"t.echo\",\"payload\":{\"text\":\"x\",\"n\":12345678901}}");
      c.sync();
    }
  }

  @Test
  void builderRejectsBadValues() {
    ZocketServer.Builder<?, ?> b = ZocketServer.builder();
    assertThatThrownBy(() -> b.maxConnections(0)).hasMessage("maxConnections must be positive: 0");
    assertThatThrownBy(() -> b.rateLimit(-1, 1))
        .hasMessage("messagesPerSecond must not be negative: -1");
    assertThatThrownBy(() -> b.rateLimit(10, 0)).hasMessage("burst must be positive: 0");
    assertThatThrownBy(() -> b.writeBufferWaterMark(10, 5))
        .hasMessage("high must be at least low (10): 5");
    assertThatThrownBy(() -> b.allowedOrigins("ftp://x"))
        .hasMessage("Not an http(s) origin: 'ftp://x'");
    assertThatThrownBy(() -> b.gracePeriod(Duration.ofSeconds(-1)))
        .hasMessage("gracePeriod must not be negative: PT-1S");
  }

  // ------------------------------------------------------------------ origin

  @Test
  void onlyTheServersOwnOriginByDefault() throws IOException {
    try (ZocketServer s = Servers.standard().start()) {
      String own = "http://127.0.0.1:" + s.port();
      URI uri = URI.create("ws://127.0.0.1:" + s.port() + "/?user-name=A");
      try (NettyClient c =
          NettyClient.connect(uri, new NettyClient.Options().headers(Map.of("Origin", own)))) {
        c.send("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"1\"}");
        assertThat(c.next()).contains("seq 1");
      }
      // RawClient sends "Host: 127.0.0.1": the same origin on the default port
      assertThat(upgrade(s, Map.of("Origin", "http://127.0.0.1"))).isEqualTo(101);
      assertThat(upgrade(s, Map.of("Origin", "http://127.0.0.1:80"))).isEqualTo(101);
      assertThat(upgrade(s, Map.of())).isEqualTo(101); // not a browser
      RawClient.HttpReply evil =
          RawClient.upgrade(s.port(), "/?user-name=A", Map.of("Origin", "https://evil.example"));
      assertThat(evil.status()).isEqualTo(403);
      assertThat(evil.body()).isEqualTo("{\"error\":\"Origin not allowed\"}");
      assertThat(upgrade(s, Map.of("Origin", "http://127.0.0.1:1"))).isEqualTo(403);
      assertThat(upgrade(s, Map.of("Origin", "null"))).isEqualTo(403);
    }
  }

  @Test
  void anAllowListOfOrigins() throws IOException {
    try (ZocketServer s =
        Servers.standard()
            .allowedOrigins("https://App.example.com:443", "http://x.test:8080")
            .start()) {
      assertThat(upgrade(s, Map.of("Origin", "https://app.example.com"))).isEqualTo(101);
      assertThat(upgrade(s, Map.of("Origin", "http://x.test:8080"))).isEqualTo(101);
      assertThat(upgrade(s, Map.of("Origin", "http://app.example.com"))).isEqualTo(403);
      assertThat(upgrade(s, Map.of("Origin", "http://127.0.0.1:" + s.port()))).isEqualTo(403);
    }
    try (ZocketServer s = Servers.standard().allowedOrigins("*").start()) {
      assertThat(upgrade(s, Map.of("Origin", "https://anything.example"))).isEqualTo(101);
    }
  }

  // ------------------------------------------------------------------ authentication

  @Test
  void aTokenFromTheQueryOrAHeader() throws IOException {
    try (ZocketServer s =
        Servers.standard()
            .authenticate(
                Authenticator.token(
                    "access_token",
                    "authorization",
                    token -> {
                      if (token.equals("banned")) {
                        throw new ZocketException(ErrorCodes.FORBIDDEN, "Banned");
                      }
                      return token.equals("good");
                    }))
            .start()) {
      assertThat(RawClient.upgrade(s.port(), "/?access_token=good", Map.of()).status())
          .isEqualTo(101);
      assertThat(RawClient.upgrade(s.port(), "/", Map.of("Authorization", "Bearer good")).status())
          .isEqualTo(101);
      assertThat(RawClient.upgrade(s.port(), "/", Map.of("authorization", "good")).status())
          .isEqualTo(101);
      // the query parameter wins over the header
      assertThat(
              RawClient.upgrade(s.port(), "/?access_token=bad", Map.of("Authorization", "good"))
                  .status())
          .isEqualTo(401);

      RawClient.HttpReply missing = RawClient.upgrade(s.port(), "/", Map.of());
      assertThat(missing.status()).isEqualTo(401);
      assertThat(missing.body()).isEqualTo("{\"error\":\"Missing token\"}");
      RawClient.HttpReply bad =
          RawClient.upgrade(s.port(), "/", Map.of("Authorization", "Bearer bad"));
      assertThat(bad.status()).isEqualTo(401);
      assertThat(bad.body()).isEqualTo("{\"error\":\"Invalid token\"}");
      RawClient.HttpReply banned = RawClient.upgrade(s.port(), "/?access_token=banned", Map.of());
      assertThat(banned.status()).isEqualTo(403);
      assertThat(banned.body()).isEqualTo("{\"error\":\"Banned\"}");

      try (JdkClient c =
          JdkClient.connect(s.port(), "?user-name=A", Map.of("Authorization", "Bearer good"))) {
        c.sync();
      }
    }
  }

  private static int upgrade(ZocketServer s, Map<String, String> headers) throws IOException {
    return RawClient.upgrade(s.port(), "/?user-name=A", headers).status();
  }
}
