package com.example.hello;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Zocket's payloads are written by Boot's JSON mapper, so {@code spring.jackson.*} applies to them:
 * with SNAKE_CASE a client sees greeted_name, not greetedName. The client is a plain WebSocket, so
 * what is asserted is the JSON on the wire.
 */
@SpringBootTest(
    properties = {"zocket.server.port=0", "spring.jackson.property-naming-strategy=SNAKE_CASE"})
@Timeout(60)
class JacksonSettingsTest {
  @Value("${local.zocket.uri}")
  URI zocketUri;

  @Test
  void springJacksonNamingAppliesToTheReply() throws Exception {
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(zocketUri, new Collector(frames))
            .get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(
              "{\"type\":\"greeter.greet\",\"payload\":{\"name\":\"Ada\"},\"rpcId\":\"r1\"}", true)
          .get(10, TimeUnit.SECONDS);

      // The event to every client and the reply, in either order.
      String reply = null;
      String event = null;
      for (int i = 0; i < 2; i++) {
        String frame = frames.poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("frame %d", i + 1).isNotNull();
        if ("__rpc_res".equals(JsonPath.read(frame, "$.type"))) {
          reply = frame;
        } else {
          event = frame;
        }
      }

      assertThat(reply).isNotNull();
      assertThat(JsonPath.<String>read(reply, "$.rpcId")).isEqualTo("r1");
      assertThat(JsonPath.<Map<String, Object>>read(reply, "$.payload"))
          .containsOnly(Map.entry("text", "Bonjour, Ada!"), Map.entry("greeted_name", "Ada"));
      assertThat(event).isNotNull();
      assertThat(JsonPath.<String>read(event, "$.type")).isEqualTo("greeter.onGreeted");
      assertThat(JsonPath.<Map<String, Object>>read(event, "$.payload"))
          .containsOnly(Map.entry("text", "Bonjour, Ada!"), Map.entry("greeted_name", "Ada"));
    } finally {
      ws.abort();
    }
  }

  /** Collects whole text frames. */
  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<String> frames;
    private final StringBuilder partial = new StringBuilder();

    Collector(BlockingQueue<String> frames) {
      this.frames = frames;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }
}
