package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.ZocketException;
import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DispatchTest {
  private static ZocketServer server;

  /** The names of the users whose onDisconnect ran: each after all their messages were handled. */
  private static final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    server =
        Servers.standard()
            .maxFrameSize(1024)
            .onDisconnect(ctx -> disconnected.add(ctx.user().name()))
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    LeakDetection.assertNoLeaks();
  }

  @BeforeEach
  void clearLog() {
    ApiHandler.log.clear();
    disconnected.clear();
  }

  private static String reply(String rpcId, String payload) {
    return "{\"type\":\"__rpc_res\",\"payload\":" + payload + ",\"rpcId\":\"" + rpcId + "\"}";
  }

  private static String error(String rpcId, String errorJson) {
    return "{\"type\":\"__rpc_res\",\"rpcId\":\"" + rpcId + "\",\"error\":" + errorJson + "}";
  }

  @Test
  void answersCallsWithExactEnvelopes() {
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=A")) {
      String id = c.call("t.echo", "{\"text\":\"hi\",\"n\":3}");
      assertThat(c.next()).isEqualTo(reply(id, "{\"text\":\"hi\",\"n\":3}"));

      id = c.call("t.nothing", null);
      assertThat(c.next()).isEqualTo("{\"type\":\"__rpc_res\",\"rpcId\":\"" + id + "\"}");

      id = c.call("t.later", "\"soon\"");
      assertThat(c.next()).isEqualTo(reply(id, "\"soon!\""));

      id = c.call("t.fail", "\"NOT_A_MEMBER\"");
      assertThat(c.next())
          .isEqualTo(
              error(id, "{\"code\":\"NOT_A_MEMBER\",\"message\":\"failed with NOT_A_MEMBER\"}"));

      id = c.call("t.fail", "\"boom\"");
      assertThat(c.next())
          .isEqualTo(error(id, "{\"code\":\"INTERNAL\",\"message\":\"Internal error\"}"));
      c.sync();
    }
  }

  @Test
  void dropsOrAnswersBadInputAndStaysUsable() {
    Map<DropReason, Long> before = drops();
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=A")) {
      // Not JSON, not an object, type missing, type not a string: dropped.
      for (String bad :
          new String[] {
            "hello",
            "{\"type\":",
            "[1,2]",
            "42",
            "{\"payload\":1}",
            "{\"type\":7}",
            "{\"type\":\"t.seq\",\"rpcId\":5}",
            "{\"type\":\"t.seq\"} trailing"
          }) {
        c.send(bad);
        c.sync();
      }
      // Unknown route: dropped; with an rpcId, NOT_FOUND.
      c.send("{\"type\":\"t.nope\",\"payload\":1}");
      c.sync();
      String id = c.call("t.nope", "1");
      assertThat(c.next())
          .isEqualTo(error(id, "{\"code\":\"NOT_FOUND\",\"message\":\"No route 't.nope'\"}"));
      c.sync();

      // Invalid payload: the handler does not run; with an rpcId, INVALID_PAYLOAD with details.
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"\"}}");
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":5}}"); // a number is no string
      c.sync();
      id = c.call("t.join", "{\"roomId\":\"\"}");
      assertThat(c.next())
          .isEqualTo(
              error(
                  id,
                  "{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Invalid payload for t.join\","
                      + "\"details\":[{\"path\":\"roomId\",\"message\":\"must not be blank\"}]}"));
      id = c.call("t.rooms", null);
      assertThat(c.next()).isEqualTo(reply(id, "[]"));

      // A payload of the wrong shape.
      id = c.call("t.echo", "{\"text\":\"x\",\"n\":\"many\"}");
      assertThat(c.next())
          .startsWith(
              "{\"type\":\"__rpc_res\",\"rpcId\":\""
                  + id
                  + "\",\"error\":{\"code\":\"INVALID_PAYLOAD\"");

      // A handler that throws, fire and forget: logged, nothing sent.
      c.send("{\"type\":\"t.fail\",\"payload\":\"boom\"}");
      c.sync();
      id = c.call("t.echo", "{\"text\":\"still here\",\"n\":1}");
      assertThat(c.next()).isEqualTo(reply(id, "{\"text\":\"still here\",\"n\":1}"));
    }
    // Every message neither handled nor answered was counted, by reason.
    Map<DropReason, Long> after = drops();
    Map<DropReason, Long> added = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      if (after.get(r) > before.get(r)) {
        added.put(r, after.get(r) - before.get(r));
      }
    }
    assertThat(added)
        .containsExactly(
            Map.entry(DropReason.MALFORMED, 8L),
            Map.entry(DropReason.UNKNOWN_ROUTE, 1L),
            Map.entry(DropReason.INVALID_PAYLOAD, 2L));
  }

  private static Map<DropReason, Long> drops() {
    Map<DropReason, Long> counts = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      counts.put(r, server.droppedMessages(r));
    }
    return counts;
  }

  @Test
  void acceptsBinaryAndFragmentedMessages() throws Exception {
    try (RawClient c = RawClient.connect(server.port(), "/?user-name=R")) {
      c.send(
          RawClient.BINARY,
          true,
          "{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"b\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(c.readSkippingPings().text()).isEqualTo(reply("b", "\"seq 1\""));
      c.send(RawClient.TEXT, false, "{\"type\":\"t.seq\",".getBytes(StandardCharsets.UTF_8));
      c.send(0, true, "\"payload\":2,\"rpcId\":\"f\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(c.readSkippingPings().text()).isEqualTo(reply("f", "\"seq 2\""));
    }
  }

  @Test
  void checksThatTextIsUtf8() throws Exception {
    try (RawClient c = RawClient.connect(server.port(), "/?user-name=R")) {
      // Valid UTF-8 beyond ASCII (two-, three- and four-byte sequences) is read as sent; Jackson
      // writes a character beyond the BMP back as an escaped surrogate pair.
      c.sendText(
          "{\"type\":\"t.echo\",\"payload\":{\"text\":\"h\u00e9llo \u20ac \ud83d\udc4b\",\"n\":1},"
              + "\"rpcId\":\"u\"}");
      assertThat(c.readSkippingPings().text())
          .isEqualTo(reply("u", "{\"text\":\"h\u00e9llo \u20ac \\uD83D\\uDC4B\",\"n\":1}"));
      // A binary message is not text: bytes that are not UTF-8 only make it malformed JSON.
      c.send(RawClient.BINARY, true, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'});
      c.sendText("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"b\"}");
      assertThat(c.readSkippingPings().text()).isEqualTo(reply("b", "\"seq 1\""));
      // A text message with an invalid sequence, after a long ASCII run, closes with 1007.
      byte[] bad =
          ("{\"type\":\"t.seq\",\"payload\":\"" + "a".repeat(100) + "\u00e9")
              .getBytes(StandardCharsets.UTF_8);
      bad[bad.length - 1] = (byte) 0x28; // the second byte of "\u00e9" no longer continues it
      c.send(RawClient.TEXT, true, bad);
      RawClient.Frame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(close.closeStatus()).isEqualTo(1007);
      assertThat(c.awaitEof()).isTrue();
    }
    try (RawClient c = RawClient.connect(server.port(), "/?user-name=R")) {
      // A surrogate code point encoded as three bytes (CESU-8) is not UTF-8 either.
      c.send(RawClient.TEXT, true, new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'});
      RawClient.Frame close = c.readSkippingPings();
      assertThat(close.closeStatus()).isEqualTo(1007);
      assertThat(c.awaitEof()).isTrue();
    }
  }

  @Test
  void closesWith1009WhenAFrameIsTooBig() throws Exception {
    try (RawClient c = RawClient.connect(server.port(), "/?user-name=Big1")) {
      c.sendText("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"ok\"}");
      assertThat(c.readSkippingPings().text()).isEqualTo(reply("ok", "\"seq 1\""));
      c.sendText("{\"type\":\"t.record\",\"payload\":\"" + "x".repeat(2000) + "\"}");
      RawClient.Frame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(close.closeStatus()).isEqualTo(1009);
      assertThat(c.awaitEof()).isTrue();
    }
    try (RawClient c = RawClient.connect(server.port(), "/?user-name=Big2")) {
      byte[] part = "x".repeat(600).getBytes(StandardCharsets.UTF_8);
      c.send(RawClient.TEXT, false, part);
      c.send(0, true, part); // two fragments, 1200 bytes together
      RawClient.Frame close = c.readSkippingPings();
      assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
      assertThat(close.closeStatus()).isEqualTo(1009);
      assertThat(c.awaitEof()).isTrue();
    }
    // onDisconnect runs once every message of its connection was handled: after it, the log
    // holds whatever a message too big would have recorded.
    Await.until(
        "onDisconnect of Big1 and Big2", () -> disconnected.containsAll(List.of("Big1", "Big2")));
    assertThat(ApiHandler.log).isEmpty();
  }

  @Test
  void keepsTheOrderOfOneConnection() {
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=A")) {
      // 300 calls, up to 100 in flight at a time: within maxCallsInFlight (128), past which a call
      // is answered RATE_LIMITED at once, ahead of the replies it overtakes.
      String[] ids = new String[300];
      int window = 100;
      for (int i = 0; i < window; i++) {
        ids[i] = call(c, i);
      }
      for (int i = 0; i < ids.length; i++) {
        String m = c.next();
        if (i + window < ids.length) {
          ids[i + window] = call(c, i + window);
        }
        assertThat(m).endsWith("\"rpcId\":\"" + ids[i] + "\"}");
        if (i % 3 != 0) {
          assertThat(m).isEqualTo(reply(ids[i], "\"seq " + i + "\""));
        }
      }
    }
  }

  private static String call(JdkClient c, int i) {
    return i % 3 == 0 ? c.call("t.thread", null) : c.call("t.seq", String.valueOf(i));
  }

  @Test
  void runsNonBlockingRoutesOnTheIoThreadAndOthersOnTheExecutor() {
    try (JdkClient c = JdkClient.connect(server.port(), "?user-name=A")) {
      c.sync();
      // Inline runs need the executor's last reply to have reached the I/O thread; right after
      // sync() that may still be on its way, so ask until the connection is idle.
      String thread =
          Await.value(
              "a call answered on the I/O thread",
              () -> {
                String id = c.call("t.thread", null);
                String reply = c.next();
                assertThat(reply).endsWith(id + "\"}");
                return reply.contains("zocket-io-") ? reply : null;
              });
      assertThat(thread).startsWith("{\"type\":\"__rpc_res\",\"payload\":\"zocket-io-");
      String id;
      // Queued behind a blocking handler, a non-blocking one waits its turn on the executor.
      String slow = c.call("t.sleep", "200");
      id = c.call("t.thread", null);
      assertThat(c.next()).isEqualTo(reply(slow, "\"slept 200\""));
      assertThat(c.next())
          .startsWith("{\"type\":\"__rpc_res\",\"payload\":\"zocket-handler-")
          .endsWith(id + "\"}");
    }
  }

  @Test
  void aBlockingHandlerDoesNotDelayOtherConnections() throws Exception {
    try (JdkClient a = JdkClient.connect(server.port(), "?user-name=A");
        JdkClient b = JdkClient.connect(server.port(), "?user-name=B")) {
      String slow = a.call("t.sleep", "2000");
      assertThat(ApiHandler.log.poll(10, TimeUnit.SECONDS)).isEqualTo("sleep-start 2000");
      String fast = b.call("t.echo", "{\"text\":\"now\",\"n\":1}");
      assertThat(b.next()).isEqualTo(reply(fast, "{\"text\":\"now\",\"n\":1}"));
      // B was answered while A's handler was still sleeping.
      assertThat(a.messages).isEmpty();
      assertThat(ApiHandler.log).doesNotContain("sleep-end 2000");
      assertThat(a.next()).isEqualTo(reply(slow, "\"slept 2000\""));
      assertThat(ApiHandler.log.poll(10, TimeUnit.SECONDS)).isEqualTo("sleep-end 2000");
    }
  }

  @Test
  void holdsMessagesInOrderUntilAsyncOnConnectCompletes() throws Exception {
    CompletableFuture<TestApi.User> user = new CompletableFuture<>();
    try (ZocketServer s =
        ZocketServer.builder()
            .headers(TestApi.Headers.class)
            .onConnectAsync((h, id) -> user)
            .handle(TestApi.Api.class, ApiHandler::new)
            .maxCallsInFlight(1)
            .host("127.0.0.1")
            .port(0)
            .start()) {
      try (JdkClient c = JdkClient.connect(s.port(), "?user-name=A")) {
        for (int i = 0; i < 5; i++) {
          c.send("{\"type\":\"t.record\",\"payload\":\"m" + i + "\"}");
        }
        String id = c.call("t.thread", null);
        // A second call is one too many in flight: the I/O thread answers it at once, onConnect
        // pending or not. So its answer comes once the server has read every frame before it, and
        // it is the first thing the client gets: nothing was answered, or handled, before it.
        String over = c.call("t.seq", "0");
        assertThat(c.next())
            .isEqualTo(
                error(
                    over, "{\"code\":\"RATE_LIMITED\",\"message\":\"Too many calls in flight\"}"));
        assertThat(ApiHandler.log).isEmpty();
        assertThat(s.connectionCount()).isZero();
        user.complete(new TestApi.User("Late", "x"));
        assertThat(c.next())
            .startsWith("{\"type\":\"__rpc_res\",\"payload\":\"zocket-handler-")
            .endsWith(id + "\"}");
        assertThat(ApiHandler.log)
            .containsExactly("Late:m0", "Late:m1", "Late:m2", "Late:m3", "Late:m4");
        assertThat(s.connectionCount()).isEqualTo(1);
      }
    }
  }

  @Test
  void runsOnDisconnectWhenTheClientLeftDuringAsyncOnConnect() throws Exception {
    CompletableFuture<TestApi.User> user = new CompletableFuture<>();
    CompletableFuture<String> left = new CompletableFuture<>();
    try (ZocketServer s =
        ZocketServer.builder()
            .headers(TestApi.Headers.class)
            .onConnectAsync((h, id) -> user)
            .onDisconnect(ctx -> left.complete(ctx.user().name()))
            .handle(TestApi.Api.class, ApiHandler::new)
            .host("127.0.0.1")
            .port(0)
            .start()) {
      JdkClient c = JdkClient.connect(s.port(), "?user-name=A");
      c.send("{\"type\":\"t.record\",\"payload\":\"before\"}");
      // The server answers the client's close frame and closes the socket as it writes the
      // answer: once the answer is in, the connection has ended before onConnect completes.
      c.socket().sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(10, TimeUnit.SECONDS).join();
      assertThat(c.awaitClose()).isEqualTo(WebSocket.NORMAL_CLOSURE);
      c.close();
      user.complete(new TestApi.User("Quick", "x"));
      assertThat(left.get(10, TimeUnit.SECONDS)).isEqualTo("Quick");
      assertThat(ApiHandler.log).containsExactly("Quick:before");
      assertThat(s.connectionCount()).isZero();
    }
  }

  @Test
  void closesWhenOnConnectFails() {
    try (ZocketServer s =
        ZocketServer.builder()
            .headers(TestApi.Headers.class)
            .onConnect(
                (h, id) -> {
                  if (h.userName().equals("banned")) {
                    throw new ZocketException("BANNED", "You are banned");
                  }
                  throw new IllegalStateException("database down");
                })
            .host("127.0.0.1")
            .port(0)
            .start()) {
      try (JdkClient c = JdkClient.connect(s.port(), "?user-name=banned")) {
        assertThat(c.awaitClose()).isEqualTo(1008);
      }
      try (JdkClient c = JdkClient.connect(s.port(), "?user-name=other")) {
        assertThat(c.awaitClose()).isEqualTo(1011);
      }
      assertThat(s.connectionCount()).isZero();
    }
  }
}
