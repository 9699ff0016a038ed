package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** permessage-deflate: off by default, negotiated when on, and no zip bombs. */
@Timeout(60)
class CompressionTest {
  @AfterEach
  void noLeaks() {
    LeakDetection.assertNoLeaks();
  }

  @Test
  void compressedMessagesRoundTrip() throws Exception {
    try (ZocketServer s = Servers.standard().compression(true).start()) {
      RawClient.HttpReply reply =
          RawClient.upgrade(
              s.port(),
              "/?user-name=A",
              Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
      assertThat(reply.status()).isEqualTo(101);
      assertThat(reply.headers().get("sec-websocket-extensions")).startsWith("permessage-deflate");

      try (NettyClient c = connect(s)) {
        String text = "y".repeat(20_000); // 20 KB, far smaller on the wire
        c.send(
            "{\"type\":\"t.echo\",\"payload\":{\"text\":\""
                + text
                + "\",\"n\":1},\"rpcId\":\"e\"}");
        assertThat(c.next()).contains("\"text\":\"" + text + "\"");
      }
    }
  }

  @Test
  void roomEventsAreCompressedOnlyForConnectionsThatNegotiatedIt() throws Exception {
    try (ZocketServer s = Servers.standard().compression(true).start();
        RawClient deflating =
            RawClient.connect(
                s.port(),
                "/?user-name=D",
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate"));
        RawClient plain = RawClient.connect(s.port(), "/?user-name=P")) {
      for (RawClient c : List.of(deflating, plain)) {
        c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"}}");
        c.sendText("{\"type\":\"t.rooms\",\"rpcId\":\"j\"}");
        assertThat(c.readSkippingPings().opcode()).isEqualTo(RawClient.TEXT); // joined
      }
      String text = "z".repeat(4000);
      s.emit(TestApi.Events.class).toRoom("r").onText(text);

      RawClient.Frame compressed = deflating.readSkippingPings();
      assertThat(compressed.opcode()).isEqualTo(RawClient.TEXT);
      assertThat(compressed.rsv()).isEqualTo(4); // RSV1: permessage-deflate
      assertThat(compressed.payload().length).isLessThan(text.length() / 10);
      RawClient.Frame uncompressed = plain.readSkippingPings();
      assertThat(uncompressed.rsv()).isZero();
      assertThat(uncompressed.text())
          .isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"" + text + "\"}");
    }
  }

  @Test
  void offByDefault() throws Exception {
    try (ZocketServer s = Servers.standard().start()) {
      RawClient.HttpReply reply =
          RawClient.upgrade(
              s.port(), "/?user-name=A", Map.of("Sec-WebSocket-Extensions", "permessage-deflate"));
      assertThat(reply.status()).isEqualTo(101);
      assertThat(reply.headers()).doesNotContainKey("sec-websocket-extensions");
    }
  }

  @Test
  void aZipBombIsClosedWith1009() {
    try (ZocketServer s = Servers.standard().compression(true).start();
        NettyClient other = connect(s);
        NettyClient bomber = connect(s)) {
      // 16 MB of one letter deflate to about 16 KB, well under the 64 KiB frame limit.
      bomber.send(
          "{\"type\":\"t.echo\",\"payload\":{\"text\":\""
              + "a".repeat(16 * 1024 * 1024)
              + "\",\"n\":1},\"rpcId\":\"b\"}");
      assertThat(bomber.awaitClose()).isEqualTo(1009);
      assertThat(bomber.messages).isEmpty();

      other.send("{\"type\":\"t.seq\",\"payload\":7,\"rpcId\":\"s\"}");
      assertThat(other.next()).contains("seq 7");
    }
  }

  private static NettyClient connect(ZocketServer s) {
    return NettyClient.connect(
        URI.create("ws://127.0.0.1:" + s.port() + "/?user-name=A"),
        new NettyClient.Options().compression());
  }
}
