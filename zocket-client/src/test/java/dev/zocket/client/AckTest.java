package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.CallTimeout;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Namespace;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import dev.zocket.netty.ZocketServer;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.Target;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Acknowledged events: a real server asks a real Java client and waits for its typed answer. */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class AckTest {
  /** The question the server asks. */
  public record Question(@NotBlank String text) {}

  /** The client's answer; its note must not be blank. */
  public record Answer(boolean yes, @NotBlank String note) {}

  /** Server-to-client events, two of them acknowledged. */
  @Namespace("prompts")
  public interface Prompts {
    CompletableFuture<Answer> confirm(Question question);

    @CallTimeout(millis = 150)
    CompletableFuture<Answer> quick(Question question);

    void notice(Question question);
  }

  /** The routes a client that has no listener for {@code confirm} knows. */
  @Namespace("prompts")
  public interface QuickOnly {
    CompletableFuture<Answer> quick(Question question);
  }

  /** A contract without acknowledged events. */
  @Namespace("prompts")
  public interface NoticesOnly {
    void notice(Question question);
  }

  /** A listener whose answers the test chooses. */
  static final class Listener implements Prompts {
    final BlockingQueue<Question> asked = new LinkedBlockingQueue<>();
    volatile Function<Question, CompletableFuture<Answer>> answer =
        q -> CompletableFuture.completedFuture(new Answer(true, "sure: " + q.text()));

    @Override
    public CompletableFuture<Answer> confirm(Question question) {
      asked.add(question);
      return answer.apply(question);
    }

    @Override
    public CompletableFuture<Answer> quick(Question question) {
      asked.add(question);
      return new CompletableFuture<>(); // never answers
    }

    @Override
    public void notice(Question question) {
      asked.add(question);
    }
  }

  private final List<ZocketServer> servers = new ArrayList<>();
  private final List<ZocketClient> clients = new ArrayList<>();
  private final BlockingQueue<String> connected = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() {
    clients.forEach(ZocketClient::close);
    servers.forEach(ZocketServer::close);
  }

  private ZocketServer server(Consumer<ZocketServer.Builder<?, ?>> options) {
    var b =
        ZocketServer.builder()
            .onConnect((headers, clientId) -> remember(clientId))
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2));
    options.accept(b);
    ZocketServer s = b.start();
    servers.add(s);
    return s;
  }

  private String remember(String clientId) {
    connected.add(clientId);
    return clientId;
  }

  /** Connects a client with a listener and returns its client id on the server. */
  private String connect(ZocketServer s, ZocketClient.Builder builder) {
    clients.add(builder.connect());
    String id = Await.next("the client's id", connected);
    int open = clients.size();
    // onConnect hands out the id before the connection is registered for events.
    Await.until("the connection is registered", () -> s.connectionCount() == open);
    return id;
  }

  private ZocketClient.Builder client(ZocketServer s, Object listener) {
    ZocketClient.Builder b =
        ZocketClient.builder(URI.create("ws://127.0.0.1:" + s.port()))
            .reconnect(ReconnectPolicy.disabled());
    if (listener instanceof Prompts p) {
      b.on(Prompts.class, p);
    } else if (listener instanceof QuickOnly q) {
      b.on(QuickOnly.class, q);
    } else if (listener instanceof NoticesOnly n) {
      b.on(NoticesOnly.class, n);
    }
    return b;
  }

  private static ZocketException failure(CompletableFuture<?> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ZocketException.class);
      return (ZocketException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("the future did not fail in time", e);
    }
    throw new AssertionError("the future completed: " + future.join());
  }

  private static <T> T answer(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  @Test
  void theClientsTypedAnswerCompletesTheFutureOnTheHandlerExecutor() throws Exception {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    // The client answers once the test has registered its callback: else the answer could complete
    // the future before, and the callback would run on the test's thread.
    CompletableFuture<Answer> later = new CompletableFuture<>();
    listener.answer = q -> later;
    String id = connect(s, client(s, listener));

    CompletableFuture<String> thread = new CompletableFuture<>();
    CompletableFuture<Answer> answer =
        s.emit(Prompts.class).to(id).confirm(new Question("deploy?"));
    answer.whenComplete((a, e) -> thread.complete(Thread.currentThread().getName()));
    assertThat(Await.next("the question", listener.asked)).isEqualTo(new Question("deploy?"));
    later.complete(new Answer(true, "sure: deploy?"));

    // The thread first: a thread waiting in answer.get() may run the future's callbacks itself once
    // it is complete (CompletableFuture's get helps complete its dependents), so waiting on the
    // answer before the callback has run could make this test's own thread run it.
    assertThat(answer(thread)).startsWith("zocket-handler");
    assertThat(answer(answer)).isEqualTo(new Answer(true, "sure: deploy?"));
  }

  @Test
  void anAnswerMayComeLater() throws Exception {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    CompletableFuture<Answer> later = new CompletableFuture<>();
    listener.answer = q -> later;
    String id = connect(s, client(s, listener));

    CompletableFuture<Answer> answer = s.emit(Prompts.class).to(id).confirm(new Question("q"));
    Await.next("the question", listener.asked);
    assertThat(answer).isNotDone();
    later.complete(new Answer(false, "no"));
    assertThat(answer(answer)).isEqualTo(new Answer(false, "no"));
  }

  @Test
  void noAnswerTimesOutPerEmitPerMethodAndByDefault() {
    ZocketServer s = server(b -> b.ackTimeout(Duration.ofMillis(300)));
    Listener listener = new Listener();
    listener.answer = q -> new CompletableFuture<>(); // never answers
    String id = connect(s, client(s, listener));

    ZocketException perEmit =
        failure(
            s.emit(Prompts.class)
                .ackTimeout(Duration.ofMillis(100))
                .to(id)
                .confirm(new Question("a")));
    assertThat(perEmit.code()).isEqualTo(ErrorCodes.TIMEOUT);
    assertThat(perEmit).hasMessage("No answer to prompts.confirm within 100 ms");

    ZocketException perMethod = failure(s.emit(Prompts.class).to(id).quick(new Question("b")));
    assertThat(perMethod).hasMessage("No answer to prompts.quick within 150 ms");

    ZocketException byDefault = failure(s.emit(Prompts.class).to(id).confirm(new Question("c")));
    assertThat(byDefault).hasMessage("No answer to prompts.confirm within 300 ms");
    assertThat(byDefault.code()).isEqualTo(ErrorCodes.TIMEOUT);
  }

  @Test
  void aConnectionThatClosesWhileTheServerWaitsFailsItsEventsWithDisconnected() {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    listener.answer = q -> new CompletableFuture<>();
    String id = connect(s, client(s, listener));

    CompletableFuture<Answer> answer = s.emit(Prompts.class).to(id).confirm(new Question("q"));
    Await.next("the question", listener.asked);
    clients.get(0).close();

    ZocketException e = failure(answer);
    assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED);
    assertThat(e).hasMessage("The connection closed before the answer to prompts.confirm arrived");
    // And a client that is gone is not asked at all.
    Await.until("the connection is gone", () -> s.connectionCount() == 0);
    ZocketException gone = failure(s.emit(Prompts.class).to(id).confirm(new Question("q")));
    assertThat(gone.code()).isEqualTo(ErrorCodes.DISCONNECTED);
    assertThat(gone).hasMessage("Client " + id + " is not connected; prompts.confirm was not sent");
  }

  @Test
  void aListenerThatThrowsFailsTheFutureWithATypedError() {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    String id = connect(s, client(s, listener));

    listener.answer =
        q -> {
          throw new ZocketException("NOT_NOW", "Busy with " + q.text());
        };
    ZocketException own = failure(s.emit(Prompts.class).to(id).confirm(new Question("x")));
    assertThat(own.code()).isEqualTo("NOT_NOW");
    assertThat(own).hasMessage("Busy with x");

    listener.answer = q -> CompletableFuture.failedFuture(new IllegalStateException("secret"));
    ZocketException internal = failure(s.emit(Prompts.class).to(id).confirm(new Question("y")));
    assertThat(internal.code()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(internal).hasMessage("Internal error");

    listener.answer = q -> null;
    ZocketException none = failure(s.emit(Prompts.class).to(id).confirm(new Question("z")));
    assertThat(none.code()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(none).hasMessage("The listener returned no answer");
  }

  @Test
  void anAnswerThatBreaksItsConstraintsIsRefusedByTheServer() {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    listener.answer = q -> CompletableFuture.completedFuture(new Answer(true, " "));
    // A client that does not validate sends the bad answer; the server refuses it.
    String id = connect(s, client(s, listener).validatePayloads(false));

    ZocketException e = failure(s.emit(Prompts.class).to(id).confirm(new Question("q")));
    assertThat(e).isInstanceOf(InvalidPayloadException.class);
    assertThat(e.details()).containsExactly(new Violation("note", "must not be blank"));

    // A validating client refuses to send it and answers with the same error.
    String validating = connect(s, client(s, listener));
    ZocketException refused =
        failure(s.emit(Prompts.class).to(validating).confirm(new Question("q")));
    assertThat(refused.code()).isEqualTo(ErrorCodes.INVALID_PAYLOAD);
    assertThat(refused.details()).containsExactly(new Violation("note", "must not be blank"));
  }

  @Test
  void pendingAnswersCountAgainstAPerConnectionAndAServerWideBudget() throws Exception {
    ZocketServer s = server(b -> b.maxPendingAcks(2, 3));
    Listener a = new Listener();
    List<CompletableFuture<Answer>> heldByA = new ArrayList<>();
    a.answer =
        q -> {
          CompletableFuture<Answer> f = new CompletableFuture<>();
          heldByA.add(f); // the callback thread only
          return f;
        };
    Listener b = new Listener();
    b.answer = q -> new CompletableFuture<>();
    String idA = connect(s, client(s, a));
    String idB = connect(s, client(s, b));

    CompletableFuture<Answer> a1 = s.emit(Prompts.class).to(idA).confirm(new Question("1"));
    CompletableFuture<Answer> a2 = s.emit(Prompts.class).to(idA).confirm(new Question("2"));
    ZocketException perConnection =
        failure(s.emit(Prompts.class).to(idA).confirm(new Question("3")));
    assertThat(perConnection.code()).isEqualTo(ErrorCodes.LIMIT_EXCEEDED);
    assertThat(perConnection)
        .hasMessage(
            "Client "
                + idA
                + " has 2 acknowledged events waiting for answers, the most allowed"
                + " (maxPendingAcks); prompts.confirm was not sent");

    CompletableFuture<Answer> b1 = s.emit(Prompts.class).to(idB).confirm(new Question("4"));
    ZocketException serverWide = failure(s.emit(Prompts.class).to(idB).confirm(new Question("5")));
    assertThat(serverWide.code()).isEqualTo(ErrorCodes.LIMIT_EXCEEDED);
    assertThat(serverWide)
        .hasMessage(
            "The server has 3 acknowledged events waiting for answers, the most allowed"
                + " (maxPendingAcks); prompts.confirm was not sent");
    // Only the three sent were asked: "3" and "5" never reached a listener.
    assertThat(Await.next("a question", a.asked)).isEqualTo(new Question("1"));
    assertThat(Await.next("a question", a.asked)).isEqualTo(new Question("2"));
    assertThat(Await.next("a question", b.asked)).isEqualTo(new Question("4"));

    // An answer gives its place back.
    CompletableFuture<Answer> first = Await.value("A's first stage", () -> heldByA.get(0));
    first.complete(new Answer(true, "one"));
    assertThat(answer(a1)).isEqualTo(new Answer(true, "one"));
    CompletableFuture<Answer> b2 = s.emit(Prompts.class).to(idB).confirm(new Question("6"));
    assertThat(Await.next("a question", b.asked)).isEqualTo(new Question("6"));
    assertThat(a2).isNotDone();
    assertThat(b1).isNotDone();
    assertThat(b2).isNotDone();
  }

  @Test
  void aClientWithoutTheExtensionIsNeverSentAnAcknowledgedEvent() {
    ZocketServer s = server(b -> {});
    Listener listener = new Listener();
    // What a TypeScript Zocket version 1 client does: it does not ask for the extension.
    String id = connect(s, client(s, listener).header("x-zocket-acks", "0"));
    // Nor does a client without a listener of an acknowledged event.
    NoticesOnly notices = q -> {};
    String plain = connect(s, client(s, notices));
    assertThat(failure(s.emit(Prompts.class).to(plain).confirm(new Question("q"))).code())
        .isEqualTo(ErrorCodes.UNSUPPORTED);

    CompletableFuture<Answer> answer = s.emit(Prompts.class).to(id).confirm(new Question("q"));
    assertThat(answer).isCompletedExceptionally();
    ZocketException e = failure(answer);
    assertThat(e.code()).isEqualTo(ErrorCodes.UNSUPPORTED);
    assertThat(e)
        .hasMessage(
            "Client "
                + id
                + " does not answer acknowledged events (it did not connect with x-zocket-acks=1,"
                + " as a TypeScript Zocket version 1 client does not); prompts.confirm was not"
                + " sent");
    // The plain event after it arrives, and the question never did.
    s.emit(Prompts.class).to(id).notice(new Question("marker"));
    assertThat(Await.next("the marker", listener.asked)).isEqualTo(new Question("marker"));
  }

  @Test
  void aClientWithoutAListenerAnswersNotFound() {
    ZocketServer s = server(b -> {});
    QuickOnly quickOnly = q -> new CompletableFuture<>();
    String id = connect(s, client(s, quickOnly));

    ZocketException e = failure(s.emit(Prompts.class).to(id).confirm(new Question("q")));
    assertThat(e.code()).isEqualTo(ErrorCodes.NOT_FOUND);
    assertThat(e).hasMessage("No listener for event 'prompts.confirm'");
  }

  @Test
  void anAcknowledgedEventGoesToOneClientOnly() {
    ZocketServer s = server(b -> {});
    Question q = new Question("q");
    assertThatThrownBy(() -> s.emit(Prompts.class).toRoom("general").confirm(q))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "An acknowledged event goes to one client, but Prompts.confirm was sent to rooms."
                + " Use to(clientId) with one id, once per client, and combine the futures.");
    assertThatThrownBy(() -> s.emit(Prompts.class).broadcast().confirm(q))
        .hasMessageContaining("was sent to everyone");
    assertThatThrownBy(() -> s.emit(Prompts.class).to("a", "b").confirm(q))
        .hasMessageContaining("was sent to 2 ids");
    assertThatThrownBy(() -> s.emit(Prompts.class).except("a").to("a").confirm(q))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "An acknowledged event goes to one client, but Prompts.confirm was sent to client a,"
                + " whom the emitter skips.");
    assertThatThrownBy(() -> s.emit(Prompts.class).ackTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ackTimeout must be positive: PT0S");
  }

  /** A backplane that carries nothing: this server is node A of a cluster. */
  static final class NodeA implements Backplane {
    @Override
    public String nodeId() {
      return "A";
    }

    @Override
    public void start(Node node) {}

    @Override
    public void publish(Target target, byte[] frame) {}

    @Override
    public void subscribe(String room) {}

    @Override
    public void unsubscribe(String room) {}

    @Override
    public void close() {}
  }

  @Test
  void aClientOfAnotherNodeCannotBeAskedYet() throws Exception {
    ZocketServer s = server(b -> b.backplane(new NodeA()));
    Listener listener = new Listener();
    String id = connect(s, client(s, listener));
    assertThat(id).startsWith("A.");
    assertThat(answer(s.emit(Prompts.class).to(id).confirm(new Question("here"))))
        .isEqualTo(new Answer(true, "sure: here"));

    ZocketException e = failure(s.emit(Prompts.class).to("B.xyz").confirm(new Question("q")));
    assertThat(e.code()).isEqualTo(ErrorCodes.UNSUPPORTED);
    assertThat(e)
        .hasMessage(
            "Client B.xyz is connected to node B: acknowledged events reach the clients of this"
                + " node only (prompts.confirm)");
  }

  @Test
  void anAcknowledgedEventHasOneListener() {
    ZocketClient.Builder b =
        ZocketClient.builder(URI.create("ws://127.0.0.1:1")).on(Prompts.class, new Listener());
    assertThatThrownBy(() -> b.on(Prompts.class, new Listener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Event prompts.confirm is acknowledged by Prompts.confirm: it has one listener, whose"
                + " answer is sent, but Prompts.confirm already listens to it");
  }
}
