package dev.zocket.netty;

import static dev.zocket.netty.EmbeddedConnection.upgrade;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bounds of a node's answer about a room: a page is cut at about 1 MiB whatever its limit, and
 * the pages still list every member once; a presence too large is left out. Connections in {@link
 * EmbeddedConnection}s, so that hundreds cost no sockets.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class ClusterPagesTest {
  private final List<EmbeddedConnection> connections = new ArrayList<>();

  @AfterEach
  void closeConnections() {
    connections.forEach(EmbeddedConnection::close);
  }

  private ServerAssembly.Parts server(ZocketServer.Builder<?, ?> builder, int members) {
    ServerAssembly.Parts server = ServerAssembly.assemble(builder, Runnable::run);
    for (int i = 0; i < members; i++) {
      EmbeddedConnection c = new EmbeddedConnection(server.pipeline());
      connections.add(c);
      c.send(upgrade("/?user-name=u" + i));
      assertThat(c.response().status()).isEqualTo(101);
      c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"big\"}}");
    }
    assertThat(server.directory().room("big").members()).hasSize(members);
    return server;
  }

  private static Cluster.Members page(ServerAssembly.Parts server, String after) {
    return server
        .cluster()
        .members("big", after, Cluster.MAX_PAGE_SIZE)
        .toCompletableFuture()
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  @Test
  void aPageIsCutAtTheAnswersSizeAndThePagesStillListEveryMemberOnce() {
    // 300 presences of 4,000 characters: 1.2 MB, more than one answer holds.
    ServerAssembly.Parts server =
        server(Servers.standard().presence(user -> user.name() + "x".repeat(3_990)), 300);
    List<String> seen = new ArrayList<>();
    Cluster.Members first = page(server, null);
    assertThat(first.members()).hasSizeBetween(200, 299);
    assertThat(first.count()).isEqualTo(300);
    assertThat(first.next()).isNotNull();
    first.members().forEach(m -> seen.add(m.clientId()));
    Cluster.Members second = page(server, first.next());
    assertThat(second.next()).isNull();
    second.members().forEach(m -> seen.add(m.clientId()));

    List<String> all = new ArrayList<>();
    server.directory().room("big").members().forEach(c -> all.add(c.clientId()));
    all.sort(null);
    assertThat(seen).containsExactlyElementsOf(all);
    assertThat(second.members().get(0).presence(String.class)).matches("u[0-9]+x{3990}");
  }

  @Test
  void aPresenceTooLargeIsLeftOut() {
    ServerAssembly.Parts server =
        server(Servers.standard().presence(user -> "x".repeat(Cluster.MAX_PRESENCE_BYTES)), 1);
    Cluster.Member m = page(server, null).members().get(0);
    assertThat(m.presence(String.class)).as("4,096 characters and two quotes").isNull();
  }
}
