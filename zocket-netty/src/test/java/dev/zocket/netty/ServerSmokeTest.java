package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.TestApi.Api;
import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.netty.TestApi.Headers;
import dev.zocket.netty.TestApi.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ServerSmokeTest {
  @Test
  void echoes() {
    try (ZocketServer server =
        ZocketServer.builder()
            .headers(Headers.class)
            .onConnect((h, id) -> new User(h.userName(), id))
            .handle(Api.class, ApiHandler::new)
            .host("127.0.0.1")
            .port(0)
            .start()) {
      try (JdkClient c = JdkClient.connect(server.port(), "?user-name=Alice")) {
        String id = c.call("t.echo", "{\"text\":\"hi\",\"n\":1}");
        assertThat(c.next())
            .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":{\"text\":\"hi\",\"n\":1},\"rpcId\":\"" + id + "\"}");
      }
    }
  }
}
