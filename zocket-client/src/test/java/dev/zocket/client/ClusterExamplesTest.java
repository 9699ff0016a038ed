package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.netty.Cluster;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster examples of docs/cluster.md, run against a real server without a backplane (the API
 * is the same with one, and every answer is this server's): the code between the region markers is
 * what the page shows.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class ClusterExamplesTest {
  private static final Logger log = LoggerFactory.getLogger(ClusterExamplesTest.class);

  /** The connection's user context. */
  public record User(String name) {}

  /** What the clients send: join a room. */
  @Namespace("lobby")
  public interface Lobby {
    void join(String room);
  }

  /** Joins the room it is asked to. */
  static final class LobbyHandler implements Lobby {
    private final Context<User> ctx;

    LobbyHandler(Context<User> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(String room) {
      ctx.rooms().join(room);
    }
  }

  private final List<ZocketServer> servers = new ArrayList<>();
  private final List<ZocketClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(ZocketClient::close);
    servers.forEach(ZocketServer::close);
  }

  private static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void presenceListsAndMovesAndDisconnectsAClient() {
    // region presence
    ZocketServer server =
        ZocketServer.builder()
            .onConnect((headers, clientId) -> new User(headers.get("user-name")))
            .presence(User::name) // or a record: user -> new Presence(user.name(), user.avatar())
            .handle(Lobby.class, LobbyHandler::new)
            .host("127.0.0.1")
            .port(0)
            .start();
    // endregion presence
    servers.add(server);
    BlockingQueue<String> closes = new LinkedBlockingQueue<>();
    ZocketClient ann =
        ZocketClient.builder(server.uri())
            .header("user-name", "Ann")
            .reconnect(ReconnectPolicy.disabled())
            .onClose((code, reason) -> closes.add(code + " " + reason))
            .connect();
    clients.add(ann);
    ann.proxy(Lobby.class).join("general");
    Await.until("Ann is in general", () -> get(server.cluster().members("general")).count() == 1);
    String clientId = get(server.cluster().members("general")).members().get(0).clientId();

    // region operations
    Cluster cluster = server.cluster(); // in a handler: Cluster.of(ctx)

    cluster
        .members("general") // a page of the room's members
        .thenAccept(
            page -> {
              for (Cluster.Member m : page.members()) {
                log.info("{} on {}: {}", m.clientId(), m.nodeId(), m.presence(String.class));
              }
              log.info("{} members in all, complete: {}", page.count(), page.complete());
            });

    CompletionStage<Optional<Cluster.ClientInfo>> info = cluster.client(clientId); // node, rooms
    CompletionStage<Cluster.Stats> stats = cluster.stats(); // connections and rooms of every node
    CompletionStage<Boolean> joined = cluster.join(clientId, "support"); // as ctx.rooms().join
    CompletionStage<Boolean> left = cluster.leave(clientId, "support");
    cluster.withTimeout(Duration.ofSeconds(1)).stats(); // another timeout (default 5 s)
    CompletionStage<Boolean> gone = cluster.disconnect(clientId, 4000, "Banned"); // 4000 "Banned"
    // endregion operations

    Cluster.ClientInfo about = get(info).orElseThrow();
    assertThat(about.presence(String.class)).isEqualTo("Ann");
    assertThat(about.rooms()).contains("general");
    assertThat(get(stats).connections()).isEqualTo(1);
    assertThat(get(joined)).isTrue();
    assertThat(get(left)).isTrue();
    assertThat(get(gone)).isTrue();
    assertThat(Await.next("Ann's close", closes)).isEqualTo("4000 Banned");
    Await.until("Ann is gone", () -> get(server.cluster().members("general")).count() == 0);
    assertThat(get(server.cluster().client(clientId))).isEmpty();
  }
}
