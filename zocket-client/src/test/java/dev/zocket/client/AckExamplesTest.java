package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.CallTimeout;
import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledged events examples of docs/server.md and docs/java-client.md, run against a real
 * server: the code between the region markers is what the pages show.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class AckExamplesTest {
  private static final Logger log = LoggerFactory.getLogger(AckExamplesTest.class);

  /** The question the server asks. */
  public record Question(@NotBlank String text) {}

  /** The client's answer. */
  public record Answer(boolean yes, @NotBlank String note) {}

  private final List<ZocketServer> servers = new ArrayList<>();
  private final List<ZocketClient> clients = new ArrayList<>();
  private final BlockingQueue<String> connected = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    clients.forEach(ZocketClient::close);
    servers.forEach(ZocketServer::close);
  }

  private ZocketServer server() {
    ZocketServer server =
        ZocketServer.builder()
            .onConnect(
                (headers, clientId) -> {
                  connected.add(clientId);
                  return clientId;
                })
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
    servers.add(server);
    return server;
  }

  /** The java-client page's listener, connected; returns its client id on the server. */
  private String connect(ZocketServer server) {
    // region listener
    ZocketClient client =
        ZocketClient.builder(server.uri())
            .on(
                Prompts.class,
                new Prompts() {
                  @Override
                  public CompletableFuture<Answer> confirm(Question q) {
                    return CompletableFuture.completedFuture(new Answer(true, "sure"));
                  }

                  @Override
                  public CompletableFuture<Void> seen(Question q) {
                    return CompletableFuture.completedFuture(null); // an empty answer
                  }

                  @Override
                  public void notice(Question q) {}
                })
            .connect();
    // endregion listener
    clients.add(client);
    String id = Await.next("the client's id", connected);
    int open = clients.size();
    // onConnect hands out the id before the connection is registered for events.
    Await.until("the connection is registered", () -> server.connectionCount() == open);
    return id;
  }

  @Test
  void askOneClient() throws Exception {
    ZocketServer server = server();
    String clientId = connect(server);
    Question q = new Question("Delete the room?");
    List<Throwable> failures = new ArrayList<>();

    // region emit
    CompletableFuture<Answer> answer =
        server.emit(Prompts.class).to(clientId).confirm(new Question("Delete the room?"));
    answer.whenComplete(
        (a, e) -> {
          if (e == null) {
            log.info("{} said {}", clientId, a.yes());
          } else { // a ZocketException: TIMEOUT, DISCONNECTED, NOT_FOUND, ...
            log.info("no answer from {}: {}", clientId, e.getMessage());
          }
        });

    // A timeout for this emit only:
    server
        .emit(Prompts.class)
        .ackTimeout(Duration.ofSeconds(30))
        .to(clientId)
        .confirm(new Question("Keep the history?"));
    // endregion emit

    assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Answer(true, "sure"));
    CompletableFuture<Answer> gone = server.emit(Prompts.class).to("nobody").confirm(q);
    gone.whenComplete((a, e) -> failures.add(e)).exceptionally(e -> null).join();
    assertThat(failures).singleElement().isInstanceOf(ZocketException.class);
    assertThat(((ZocketException) failures.get(0)).code()).isEqualTo(ErrorCodes.DISCONNECTED);
    assertThat(server.emit(Prompts.class).to(clientId).seen(q).get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void askEveryMember() throws Exception {
    ZocketServer server = server();
    List<String> members = List.of(connect(server), connect(server));
    Question question = new Question("Close the room?");

    // region many
    List<CompletableFuture<Answer>> answers =
        members.stream().map(id -> server.emit(Prompts.class).to(id).confirm(question)).toList();
    CompletableFuture<Void> all =
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    // endregion many

    all.get(10, TimeUnit.SECONDS);
    assertThat(answers)
        .extracting(CompletableFuture::join)
        .containsExactly(new Answer(true, "sure"), new Answer(true, "sure"));
  }

  // region contract
  @Namespace("prompts")
  public interface Prompts {
    CompletableFuture<Answer> confirm(Question question); // acknowledged: the answer is an Answer

    @CallTimeout(millis = 2_000) // the server waits 2 s at most for this one
    CompletableFuture<Void> seen(Question question); // acknowledged, an empty answer

    void notice(Question question); // a plain event, as before
  }
  // endregion contract
}
