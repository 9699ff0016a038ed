package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.JdkWebSocket;
import java.net.URI;
import java.util.Map;

/** The JDK's WebSocket as a client of the test servers ({@link Servers}), on 127.0.0.1. */
final class JdkClient extends JdkWebSocket {
  private JdkClient() {}

  static JdkClient connect(int port, String query) {
    return connect(port, query, Map.of());
  }

  static JdkClient connect(int port, String query, Map<String, String> headers) {
    JdkClient c = new JdkClient();
    c.open(URI.create("ws://127.0.0.1:" + port + "/" + query), headers);
    return c;
  }

  /** Makes a round trip and asserts nothing else arrived before its reply. */
  void sync() {
    String id = call("t.seq", "0");
    assertThat(next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"seq 0\",\"rpcId\":\"" + id + "\"}");
  }
}
