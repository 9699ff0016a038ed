package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zocket.Context;
import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.client.ClientInterceptor.Kind;
import dev.zocket.client.ZocketClient.State;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The client's credentials per connect, life cycle (build then connect, the state listener,
 * cancelled calls), interceptors and observers, against a real server on 127.0.0.1.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class ClientHooksTest {
  public record Text(String text) {}

  @Namespace("hooks")
  public interface Api {
    void note(Text text);

    CompletableFuture<String> echo(Text text);

    CompletableFuture<String> held();

    void leave();
  }

  @Namespace("hooks")
  public interface Events {
    default void onNote(Text text) {}
  }

  /** The server's side: notes come back as events, held calls wait for the test to release them. */
  static final class ApiHandler implements Api {
    private final Context<String> ctx;
    private final BlockingQueue<CompletableFuture<String>> held;

    ApiHandler(Context<String> ctx, BlockingQueue<CompletableFuture<String>> held) {
      this.ctx = ctx;
      this.held = held;
    }

    @Override
    public void note(Text text) {
      ctx.emit(Events.class).to(ctx.clientId()).onNote(text);
    }

    @Override
    public CompletableFuture<String> echo(Text text) {
      if (text.text().equals("refuse")) {
        throw new ZocketException(ErrorCodes.FORBIDDEN, "Not this one");
      }
      return CompletableFuture.completedFuture(text.text());
    }

    @Override
    public CompletableFuture<String> held() {
      CompletableFuture<String> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    @Override
    public void leave() {
      ctx.close();
    }
  }

  private final BlockingQueue<String> tokensSeen = new LinkedBlockingQueue<>();
  private final BlockingQueue<CompletableFuture<String>> held = new LinkedBlockingQueue<>();
  private final List<ZocketClient> clients = new ArrayList<>();
  private ZocketServer server;

  @BeforeEach
  void start() {
    server =
        ZocketServer.builder()
            .authenticate(
                request -> {
                  List<String> token =
                      new QueryStringDecoder(request.uri()).parameters().get("token");
                  String t = token == null ? "" : token.get(0);
                  tokensSeen.add(t);
                  if (t.startsWith("expired")) {
                    throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Token expired");
                  }
                })
            .onConnect((headers, clientId) -> clientId)
            .handle(Api.class, ctx -> new ApiHandler(ctx, held))
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
  }

  @AfterEach
  void stop() {
    clients.forEach(ZocketClient::close);
    server.close();
  }

  private ZocketClient.Builder builder() {
    return ZocketClient.builder(URI.create("ws://127.0.0.1:" + server.port()))
        .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(20)));
  }

  private ZocketClient track(ZocketClient client) {
    clients.add(client);
    return client;
  }

  /** Drops the client's connection from the server's side and waits for the reconnect. */
  private static void dropAndAwaitReopen(ZocketClient client, BlockingQueue<?> opens) {
    client.proxy(Api.class).leave();
    Await.next("the reopening", opens);
  }

  // ------------------------------------------------------------------ credentials

  @Test
  void aSuppliedTokenIsAskedForAgainOnEveryConnect() {
    AtomicReference<String> token = new AtomicReference<>("token-1");
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .header("token", token::get)
                .header("absent", () -> null)
                .onOpen(c -> opens.add(true))
                .connect());
    Await.next("the first open", opens);
    assertThat(Await.next("the first handshake", tokensSeen)).isEqualTo("token-1");

    token.set("token-2");
    dropAndAwaitReopen(client, opens);
    assertThat(Await.next("the second handshake", tokensSeen)).isEqualTo("token-2");

    token.set("token-3");
    dropAndAwaitReopen(client, opens);
    assertThat(Await.next("the third handshake", tokensSeen)).isEqualTo("token-3");
    assertThat(client.proxy(Api.class).echo(new Text("still")).join()).isEqualTo("still");
  }

  @Test
  void anExpiredTokenRefusedOnReconnectClosesTheClientOnceWithTheServersMessage() {
    AtomicReference<String> token = new AtomicReference<>("good");
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    BlockingQueue<ZocketException> closedBecause = new LinkedBlockingQueue<>();
    BlockingQueue<ZocketException> failedConnects = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .header("token", token::get)
                .onOpen(c -> opens.add(true))
                .onError(errors::add)
                .onStateChange(
                    (from, to, cause) -> {
                      if (to == State.CLOSED) {
                        closedBecause.add(cause);
                      }
                    })
                .observer(
                    new ClientObserver() {
                      @Override
                      public void onConnectFailed(ZocketException error) {
                        failedConnects.add(error);
                      }
                    })
                .connect());
    Await.next("the first open", opens);
    assertThat(Await.next("the first handshake", tokensSeen)).isEqualTo("good");

    token.set("expired-1");
    client.proxy(Api.class).leave();
    HandshakeRejectedException rejected =
        (HandshakeRejectedException) Await.next("the state change to CLOSED", closedBecause);
    assertThat(rejected.status()).isEqualTo(401);
    assertThat(rejected.code()).isEqualTo(ErrorCodes.UNAUTHORIZED);
    assertThat(rejected.serverMessage()).isEqualTo("Token expired");
    assertThat(Await.next("onError", errors)).isSameAs(rejected);
    assertThat(Await.next("the observer", failedConnects)).isSameAs(rejected);
    assertThat(client.state()).isEqualTo(State.CLOSED);

    // Not retried: one refused handshake, and the client ended (its threads released).
    client.close();
    assertThat(Await.next("the refused handshake", tokensSeen)).isEqualTo("expired-1");
    assertThat(tokensSeen).isEmpty();
    assertThat(errors).isEmpty();
    assertThatThrownBy(() -> client.proxy(Api.class).note(new Text("x")))
        .isInstanceOf(ZocketException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void anExpiredTokenOnTheFirstConnectFailsConnectWithTheStatusAndMessage() {
    assertThatThrownBy(() -> builder().header("token", () -> "expired-0").connect())
        .isInstanceOfSatisfying(
            HandshakeRejectedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.serverMessage()).isEqualTo("Token expired");
              assertThat(e.body()).isEqualTo("{\"error\":\"Token expired\"}");
            });
    assertThat(Await.next("the handshake", tokensSeen)).isEqualTo("expired-0");
  }

  @Test
  void aSupplierThatThrowsFailsThatAttemptOnly() {
    AtomicInteger asked = new AtomicInteger();
    BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .retryFirstConnect(true)
                .onError(errors::add)
                .header(
                    "token",
                    () -> {
                      if (asked.incrementAndGet() == 1) {
                        throw new IllegalStateException("no token yet");
                      }
                      return "late";
                    })
                .connect());
    ZocketException first = (ZocketException) Await.next("the failed attempt", errors);
    assertThat(first.code()).isEqualTo(ErrorCodes.DISCONNECTED);
    assertThat(first.getMessage()).contains("header token", "no token yet");
    assertThat(Await.next("the handshake", tokensSeen)).isEqualTo("late");
    assertThat(client.state()).isEqualTo(State.OPEN);
  }

  // ------------------------------------------------------------------ life cycle

  @Test
  void aBuiltClientConnectsWhenToldAndReportsEveryStateChangeOnTheCallbackThread()
      throws Exception {
    BlockingQueue<String> changes = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .onOpen(c -> opens.add(true))
                .onStateChange(
                    (from, to, cause) ->
                        changes.add(
                            from
                                + ">"
                                + to
                                + (cause == null ? "" : " " + cause.code())
                                + " "
                                + Thread.currentThread().getName()))
                .build());
    assertThat(client.state()).isEqualTo(State.NEW);

    assertThat(client.connect()).isSameAs(client);
    assertThat(client.connectAsync().get(5, TimeUnit.SECONDS)).isSameAs(client);
    assertThat(client.state()).isEqualTo(State.OPEN);
    assertThat(Await.next("the one handshake", tokensSeen)).isEmpty(); // no token header
    assertThat(tokensSeen).isEmpty(); // connect() twice, and build(), made one connection
    Await.next("the first open", opens);
    dropAndAwaitReopen(client, opens);
    client.close();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      seen.add(Await.next("state change " + i, changes));
    }
    String t = " zocket-client-callbacks";
    assertThat(seen)
        .containsExactly(
            "NEW>CONNECTING" + t,
            "CONNECTING>OPEN" + t,
            "OPEN>RECONNECTING DISCONNECTED" + t,
            "RECONNECTING>OPEN" + t,
            "OPEN>CLOSED" + t);
    assertThat(changes).isEmpty();
  }

  @Test
  void aBuiltClientClosedBeforeConnectingEndsWithoutAConnection() {
    BlockingQueue<String> changes = new LinkedBlockingQueue<>();
    ZocketClient client =
        builder().onStateChange((from, to, cause) -> changes.add(from + ">" + to)).build();
    client.close();
    assertThat(Await.next("the change", changes)).isEqualTo("NEW>CLOSED");
    assertThatThrownBy(client::connect)
        .isInstanceOf(ZocketException.class)
        .hasMessageContaining("closed before it connected");
    assertThat(tokensSeen).isEmpty();
  }

  @Test
  void aCancelledCallStopsWaitingAndItsLateReplyIsDropped() throws Exception {
    BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    Logger log = (Logger) LoggerFactory.getLogger(ZocketClient.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = log.getLevel();
    log.setLevel(Level.DEBUG);
    log.addAppender(appender);
    try {
      ZocketClient client = track(builder().observer(callOutcomesTo(outcomes)).connect());
      CompletableFuture<String> call = client.proxy(Api.class).held();
      CompletableFuture<String> reply = Await.next("the call at the server", held);
      assertThat(call.cancel(true)).isTrue();
      assertThat(Await.next("the outcome", outcomes)).isEqualTo("hooks.held CANCELLED");

      reply.complete("too late");
      // A call made after the late reply is answered after it: the late one was dropped by then.
      assertThat(client.proxy(Api.class).echo(new Text("marker")).get(5, TimeUnit.SECONDS))
          .isEqualTo("marker");
      assertThat(Await.next("the marker's outcome", outcomes)).isEqualTo("hooks.echo null");
      synchronized (appender.list) {
        assertThat(appender.list)
            .extracting(ILoggingEvent::getFormattedMessage)
            .anySatisfy(m -> assertThat(m).startsWith("Dropped a reply to an unknown or finished"));
      }
      assertThat(call).isCancelled();
    } finally {
      log.detachAppender(appender);
      log.setLevel(level);
    }
  }

  // ------------------------------------------------------------------ interceptors

  @Test
  void interceptorsNestAroundCallsMessagesAndEventsInTheOrderAdded() throws Exception {
    // What runs on the test thread, and what on the callback thread (events).
    List<String> trace = Collections.synchronizedList(new ArrayList<>());
    List<String> eventTrace = Collections.synchronizedList(new ArrayList<>());
    BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .around(
                    inv -> {
                      List<String> t = inv.kind() == Kind.EVENT ? eventTrace : trace;
                      t.add("outer " + inv.kind() + " " + inv.route() + " " + inv.payload());
                      Object r = inv.proceed();
                      t.add("outer done " + inv.route());
                      return r;
                    })
                .around(
                    inv -> {
                      List<String> t = inv.kind() == Kind.EVENT ? eventTrace : trace;
                      t.add("inner " + inv.kind() + " " + Thread.currentThread().getName());
                      return inv.proceed();
                    })
                .on(
                    Events.class,
                    new Events() {
                      @Override
                      public void onNote(Text text) {
                        eventTrace.add("listener " + text.text());
                        notes.add(text.text());
                      }
                    })
                .connect());
    String caller = Thread.currentThread().getName();
    assertThat(client.proxy(Api.class).echo(new Text("hi")).get(5, TimeUnit.SECONDS))
        .isEqualTo("hi");
    client.proxy(Api.class).note(new Text("n1"));
    assertThat(Await.next("the note", notes)).isEqualTo("n1");
    synchronized (trace) {
      assertThat(trace)
          .containsExactly(
              "outer CALL hooks.echo Text[text=hi]",
              "inner CALL " + caller,
              "outer done hooks.echo",
              "outer MESSAGE hooks.note Text[text=n1]",
              "inner MESSAGE " + caller,
              "outer done hooks.note");
    }
    Await.until("the event's interceptors returned", () -> eventTrace.size() == 4);
    synchronized (eventTrace) {
      assertThat(eventTrace)
          .containsExactly(
              "outer EVENT hooks.onNote Text[text=n1]",
              "inner EVENT zocket-client-callbacks",
              "listener n1",
              "outer done hooks.onNote");
    }
  }

  @Test
  void interceptorsShortCircuitWithAnError() throws Exception {
    BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    ZocketClient client =
        track(
            builder()
                .around(
                    inv -> {
                      if (String.valueOf(inv.payload()).contains("secret")) {
                        throw new ZocketException(ErrorCodes.FORBIDDEN, "No secrets " + inv.kind());
                      }
                      return inv.proceed();
                    })
                .observer(callOutcomesTo(outcomes))
                .onError(errors::add)
                .on(
                    Events.class,
                    new Events() {
                      @Override
                      public void onNote(Text text) {
                        notes.add(text.text());
                      }
                    })
                .connect());
    Api api = client.proxy(Api.class);
    // Answered once the server has registered the connection, so that its broadcasts reach it.
    assertThat(api.echo(new Text("ready")).get(5, TimeUnit.SECONDS)).isEqualTo("ready");
    assertThat(Await.next("the first outcome", outcomes)).isEqualTo("hooks.echo null");
    ExecutionException call =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> api.echo(new Text("secret")).get(5, TimeUnit.SECONDS));
    assertThat(((ZocketException) call.getCause()).code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(Await.next("the outcome", outcomes)).isEqualTo("hooks.echo FORBIDDEN");
    assertThatThrownBy(() -> api.note(new Text("secret")))
        .isInstanceOf(ZocketException.class)
        .hasMessage("No secrets MESSAGE");
    // The server emits an event the interceptor refuses: dropped, and told to onError.
    server.emit(Events.class).broadcast().onNote(new Text("secret event"));
    ZocketException refused = (ZocketException) Await.next("the refused event", errors);
    assertThat(refused.getMessage()).isEqualTo("No secrets EVENT");
    api.note(new Text("marker"));
    assertThat(Await.next("the marker", notes)).isEqualTo("marker");
    assertThat(notes).isEmpty();
    // A server error passes the interceptor as it is.
    ExecutionException serverError =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> api.echo(new Text("refuse")).get(5, TimeUnit.SECONDS));
    assertThat(((ZocketException) serverError.getCause()).code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(Await.next("the outcome", outcomes)).isEqualTo("hooks.echo FORBIDDEN");
  }

  @Test
  void cancellingAnInterceptedCallCancelsTheCallSent() throws Exception {
    BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
    AtomicReference<CompletableFuture<?>> inner = new AtomicReference<>();
    ZocketClient client =
        track(
            builder()
                .around(
                    inv -> {
                      CompletableFuture<?> f = (CompletableFuture<?>) inv.proceed();
                      inner.set(f);
                      return f.thenApply(v -> v); // a derived stage
                    })
                .observer(callOutcomesTo(outcomes))
                .connect());
    CompletableFuture<String> call = client.proxy(Api.class).held();
    Await.next("the call at the server", held);
    call.cancel(false);
    assertThat(Await.next("the outcome", outcomes)).isEqualTo("hooks.held CANCELLED");
    assertThat(inner.get()).isCancelled();
  }

  @Test
  void anInterceptorThatReturnsNoStageForACallFailsTheCall() {
    ZocketClient client = track(builder().around(inv -> "not a stage").connect());
    CompletableFuture<String> call = client.proxy(Api.class).echo(new Text("x"));
    assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned not a stage instead of the reply's CompletionStage");
  }

  @Test
  void connectOnTheClientsOwnCallbackThreadIsRefusedBeforeTheFirstOpen() throws Exception {
    BlockingQueue<Throwable> refused = new LinkedBlockingQueue<>();
    AtomicReference<ZocketClient> self = new AtomicReference<>();
    ZocketClient client =
        track(
            builder()
                .onStateChange(
                    (from, to, cause) -> {
                      if (to == State.CONNECTING) {
                        try {
                          self.get().connect();
                        } catch (RuntimeException e) {
                          refused.add(e);
                        }
                      }
                    })
                .build());
    self.set(client);
    assertThat(client.connectAsync().get(5, TimeUnit.SECONDS)).isSameAs(client);
    assertThat(Await.next("the refusal", refused))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("use connectAsync()");
  }

  // ------------------------------------------------------------------ observers

  @Test
  void anObserverSeesConnectionsReconnectsRecoveriesCallsMessagesAndEvents() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    BlockingQueue<String> notes = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    ClientObserver observer =
        new ClientObserver() {
          @Override
          public void onConnected(boolean reconnect) {
            seen.add("connected " + reconnect);
          }

          @Override
          public void onRecovery(boolean resumed) {
            seen.add("recovery " + resumed);
          }

          @Override
          public void onDisconnected(int code, String reason) {
            seen.add("disconnected " + code);
          }

          @Override
          public void onReconnectScheduled(int attempt, Duration delay) {
            seen.add("reconnect " + attempt);
          }

          @Override
          public void onCallCompleted(String route, long nanos, String errorCode) {
            assertThat(nanos).isPositive();
            seen.add("call " + route + " " + errorCode);
          }

          @Override
          public void onMessageSent(String route) {
            seen.add("sent " + route);
          }

          @Override
          public void onEventReceived(String route, String errorCode) {
            seen.add("event " + route + " " + errorCode);
          }
        };
    ClientObserver throwing =
        new ClientObserver() {
          @Override
          public void onMessageSent(String route) {
            throw new IllegalStateException("a broken observer");
          }
        };
    ZocketClient client =
        track(
            builder()
                .observer(throwing)
                .observer(observer)
                .onOpen(c -> opens.add(true))
                .on(
                    Events.class,
                    new Events() {
                      @Override
                      public void onNote(Text text) {
                        notes.add(text.text());
                      }
                    })
                .connect());
    Await.next("the first open", opens);
    client.proxy(Api.class).echo(new Text("x")).get(5, TimeUnit.SECONDS);
    client.proxy(Api.class).note(new Text("y"));
    Await.next("the note", notes);
    dropAndAwaitReopen(client, opens);
    client.proxy(Api.class).echo(new Text("after")).get(5, TimeUnit.SECONDS);
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      all.add(Await.next("observation " + i, seen));
    }
    // A call's observers are told before its future completes; a send is told once it was
    // handed to the connection, which may be after the event it causes has arrived.
    assertThat(all.subList(0, 2)).containsExactly("connected false", "call hooks.echo null");
    assertThat(all.subList(2, 4))
        .containsExactlyInAnyOrder("sent hooks.note", "event hooks.onNote null");
    // The send of leave is told on the test thread, the drop it causes on the I/O thread.
    assertThat(all.subList(4, 8))
        .containsExactlyInAnyOrder(
            "sent hooks.leave", "disconnected 1000", "reconnect 1", "connected true");
    assertThat(all.subList(4, 8))
        .filteredOn(o -> !o.startsWith("sent"))
        .containsExactly("disconnected 1000", "reconnect 1", "connected true");
    assertThat(all.get(8)).isEqualTo("call hooks.echo null");
    assertThat(seen).isEmpty(); // no recovery: the server keeps no session
  }

  /** An observer that adds "route errorCode" for every call that completes. */
  private static ClientObserver callOutcomesTo(BlockingQueue<String> outcomes) {
    return new ClientObserver() {
      @Override
      public void onCallCompleted(String route, long nanos, String errorCode) {
        outcomes.add(route + " " + errorCode);
      }
    };
  }
}
