package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.RawClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Streams (extension) between a real {@link ZocketServer} and the Java client or a raw client. */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class StreamTest {
  /** What to search for: {@code count} hits, then the end ({@code q} "fail" fails after them). */
  public record Query(String q, int count) {}

  /** One item of a stream. */
  public record Hit(int n, String text) {}

  /** The contract under test. */
  @Namespace("search")
  public interface Search {
    Flow.Publisher<Hit> find(Query query);

    /** As many hits as are asked for, for ever. */
    Flow.Publisher<Hit> endless();

    /** A marker call. */
    String ping(String text);
  }

  /**
   * A publisher that emits on the thread that requests, as much as requested, and records what it
   * was asked and whether it was cancelled: the server's side of the observation.
   */
  static final class Source implements Flow.Publisher<Hit> {
    final int limit;
    final String q;
    final AtomicLong requested = new AtomicLong();
    final AtomicLong emitted = new AtomicLong();

    /** Calls of request that returned: every item they emitted was handed to the server. */
    final AtomicLong requestsServed = new AtomicLong();

    final CountDownLatch cancelled = new CountDownLatch(1);

    Source(String q, int limit) {
      this.q = q;
      this.limit = limit;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Hit> s) {
      s.onSubscribe(
          new Flow.Subscription() {
            private boolean done;

            @Override
            public synchronized void request(long n) {
              requested.addAndGet(n);
              while (!done && emitted.get() < requested.get()) {
                if (limit >= 0 && emitted.get() == limit) {
                  break;
                }
                long i = emitted.incrementAndGet();
                s.onNext(new Hit((int) i, q + " " + i));
              }
              if (!done && limit >= 0 && emitted.get() == limit) {
                done = true;
                if ("fail".equals(q)) {
                  s.onError(new ZocketException("NO_MORE", "The index broke after " + limit));
                } else {
                  s.onComplete();
                }
              }
              requestsServed.incrementAndGet();
            }

            @Override
            public void cancel() {
              done = true;
              cancelled.countDown();
            }
          });
      if (limit == 0) {
        s.onComplete();
      }
    }
  }

  /** The sources the handlers made, newest last. */
  private final BlockingQueue<Source> sources = new LinkedBlockingQueue<>();

  final class SearchHandler implements Search {
    SearchHandler(Context<?> ctx) {}

    @Override
    public Flow.Publisher<Hit> find(Query query) {
      if ("throw".equals(query.q())) {
        throw new ZocketException("BAD_QUERY", "No such index");
      }
      Source s = new Source(query.q(), query.count());
      sources.add(s);
      return s;
    }

    @Override
    public Flow.Publisher<Hit> endless() {
      Source s = new Source("endless", -1);
      sources.add(s);
      return s;
    }

    @Override
    public String ping(String text) {
      return "pong " + text;
    }
  }

  /** A subscriber that records every signal and requests as told. */
  static final class Recorder implements Flow.Subscriber<Hit> {
    final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    final List<Hit> items = new ArrayList<>();
    final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    final CountDownLatch subscribed = new CountDownLatch(1);
    private final long initial;

    Recorder(long initial) {
      this.initial = initial;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.set(s);
      subscribed.countDown();
      if (initial > 0) {
        s.request(initial);
      }
    }

    @Override
    public void onNext(Hit item) {
      synchronized (items) {
        items.add(item);
      }
      signals.add(item);
    }

    @Override
    public void onError(Throwable t) {
      signals.add(t);
    }

    @Override
    public void onComplete() {
      signals.add("complete");
    }

    Object next() {
      return Await.next("a stream signal", signals);
    }

    void request(long n) throws InterruptedException {
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
      subscription.get().request(n);
    }

    void cancel() throws InterruptedException {
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
      subscription.get().cancel();
    }
  }

  private ZocketServer server;
  private final List<ZocketClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        ZocketServer.builder()
            .handle(Search.class, SearchHandler::new)
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

  private Search connect(URI uri) {
    ZocketClient client = ZocketClient.builder(uri).reconnect(ReconnectPolicy.disabled()).connect();
    clients.add(client);
    return client.proxy(Search.class);
  }

  private Search connect() {
    return connect(URI.create("ws://127.0.0.1:" + server.port()));
  }

  private Source nextSource() {
    return Await.next("the handler's publisher", sources);
  }

  private static void awaitCancelled(Source source) throws InterruptedException {
    assertThat(source.cancelled.await(10, TimeUnit.SECONDS))
        .as("the publisher was cancelled")
        .isTrue();
  }

  @Test
  void itemsArriveInOrderThenCompletion() {
    Search search = connect();
    Recorder r = new Recorder(Long.MAX_VALUE);
    search.find(new Query("java", 200)).subscribe(r);
    for (int i = 1; i <= 200; i++) {
      assertThat(r.next()).isEqualTo(new Hit(i, "java " + i));
    }
    assertThat(r.next()).isEqualTo("complete");
    Source source = nextSource();
    // Unbounded demand travels as credits of at most the window: the publisher was never asked
    // for more than the window beyond what it had sent.
    assertThat(source.requested.get()).isLessThanOrEqualTo(200 + ClientStreams.WINDOW);
  }

  @Test
  void anEmptyStreamCompletes() {
    Recorder r = new Recorder(1);
    connect().find(new Query("none", 0)).subscribe(r);
    assertThat(r.next()).isEqualTo("complete");
  }

  @Test
  void thePublishersErrorArrivesTypedAfterTheItems() {
    Recorder r = new Recorder(10);
    connect().find(new Query("fail", 2)).subscribe(r);
    assertThat(r.next()).isEqualTo(new Hit(1, "fail 1"));
    assertThat(r.next()).isEqualTo(new Hit(2, "fail 2"));
    assertThat(r.next())
        .isInstanceOfSatisfying(
            ZocketException.class,
            e -> {
              assertThat(e.code()).isEqualTo("NO_MORE");
              assertThat(e.getMessage()).isEqualTo("The index broke after 2");
            });
  }

  @Test
  void aHandlerThatThrowsRefusesTheStart() {
    Recorder r = new Recorder(10);
    connect().find(new Query("throw", 2)).subscribe(r);
    assertThat(r.next())
        .isInstanceOfSatisfying(
            ZocketException.class, e -> assertThat(e.code()).isEqualTo("BAD_QUERY"));
  }

  @Test
  void theServerSendsNoMoreThanTheCreditItWasGiven() throws Exception {
    try (RawClient raw = RawClient.connect(server.port(), "/?x-zocket-streams=1")) {
      raw.sendText("{\"type\":\"search.endless\",\"rpcId\":\"s1\"}");
      raw.sendText("{\"type\":\"__stream_credit\",\"rpcId\":\"s1\",\"payload\":5}");
      Source source = nextSource();
      // The publisher is asked on the handler executor: once it has served the request, whatever
      // it emitted is on its way to the client, ahead of the marker's answer.
      Await.until("the credit was served", () -> source.requestsServed.get() >= 1);
      raw.sendText("{\"type\":\"search.ping\",\"payload\":\"a\",\"rpcId\":\"m1\"}");
      List<String> before = readUntil(raw, "m1");
      assertThat(before.get(0)).isEqualTo("{\"type\":\"__rpc_res\",\"rpcId\":\"s1\"}");
      assertThat(before.subList(1, before.size() - 1))
          .containsExactly(
              item("s1", 1), item("s1", 2), item("s1", 3), item("s1", 4), item("s1", 5));
      assertThat(source.requested.get()).isEqualTo(5);
      assertThat(source.emitted.get()).isEqualTo(5);

      raw.sendText("{\"type\":\"__stream_credit\",\"rpcId\":\"s1\",\"payload\":2}");
      Await.until("the second credit was served", () -> source.requestsServed.get() >= 2);
      raw.sendText("{\"type\":\"search.ping\",\"payload\":\"b\",\"rpcId\":\"m2\"}");
      List<String> after = readUntil(raw, "m2");
      assertThat(after.subList(0, after.size() - 1)).containsExactly(item("s1", 6), item("s1", 7));
      assertThat(source.requested.get()).isEqualTo(7);

      raw.sendText("{\"type\":\"__stream_cancel\",\"rpcId\":\"s1\"}");
      awaitCancelled(source);
      // A credit after the cancel is ignored: nothing arrives before the marker's answer.
      raw.sendText("{\"type\":\"__stream_credit\",\"rpcId\":\"s1\",\"payload\":3}");
      raw.sendText("{\"type\":\"search.ping\",\"payload\":\"c\",\"rpcId\":\"m3\"}");
      assertThat(readUntil(raw, "m3")).hasSize(1);
      assertThat(source.emitted.get()).isEqualTo(7);
    }
  }

  @Test
  void creditOverTheWindowEndsTheStream() throws Exception {
    try (RawClient raw = RawClient.connect(server.port(), "/?x-zocket-streams=1")) {
      raw.sendText(
          "{\"type\":\"search.find\",\"payload\":{\"q\":\"x\",\"count\":-1},\"rpcId\":\"s\"}");
      raw.sendText("{\"type\":\"__stream_credit\",\"rpcId\":\"s\",\"payload\":100000}");
      assertThat(raw.read().text()).isEqualTo("{\"type\":\"__rpc_res\",\"rpcId\":\"s\"}");
      assertThat(raw.read().text())
          .startsWith(
              "{\"type\":\"__stream_end\",\"rpcId\":\"s\",\"error\":{\"code\":\"LIMIT_EXCEEDED\"");
      awaitCancelled(nextSource());
    }
  }

  @Test
  void aClientThatDidNotAskForStreamsCannotStartOne() throws Exception {
    try (RawClient raw = RawClient.connect(server.port(), "/")) {
      raw.sendText("{\"type\":\"search.endless\",\"rpcId\":\"s1\"}");
      assertThat(raw.read().text())
          .startsWith("{\"type\":\"__rpc_res\",\"rpcId\":\"s1\",\"error\":{\"code\":\"NOT_FOUND\"");
      raw.sendText("{\"type\":\"__stream_credit\",\"rpcId\":\"s1\",\"payload\":1}");
      assertThat(raw.read().text())
          .startsWith("{\"type\":\"__rpc_res\",\"rpcId\":\"s1\",\"error\":{\"code\":\"NOT_FOUND\"");
    }
    assertThat(sources).isEmpty();
  }

  @Test
  void cancelFromTheClientReachesThePublisher() throws Exception {
    Search search = connect();
    Recorder r = new Recorder(3);
    search.endless().subscribe(r);
    for (int i = 1; i <= 3; i++) {
      assertThat(r.next()).isEqualTo(new Hit(i, "endless " + i));
    }
    r.cancel();
    awaitCancelled(nextSource());
    // The stream is gone, the connection serves on; nothing came after the cancel.
    assertThat(search.ping("x")).isEqualTo("pong x");
    assertThat(r.signals).isEmpty();
  }

  @Test
  void theServerClosingFailsTheStreamAndCancelsThePublisher() throws Exception {
    Recorder r = new Recorder(1);
    connect().endless().subscribe(r);
    assertThat(r.next()).isEqualTo(new Hit(1, "endless 1"));
    server.close();
    awaitCancelled(nextSource());
    assertThat(r.next())
        .isInstanceOfSatisfying(
            ZocketException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED));
  }

  @Test
  void aDroppedConnectionCancelsThePublisherAndFailsTheStream() throws Exception {
    try (CuttingProxy proxy = CuttingProxy.start(server.port())) {
      ZocketClient client = ZocketClient.builder(proxy.wsUri()).connect(); // reconnects
      clients.add(client);
      Search search = client.proxy(Search.class);
      Recorder r = new Recorder(2);
      search.endless().subscribe(r);
      assertThat(r.next()).isEqualTo(new Hit(1, "endless 1"));
      assertThat(r.next()).isEqualTo(new Hit(2, "endless 2"));
      proxy.cut();
      awaitCancelled(nextSource());
      assertThat(r.next())
          .isInstanceOfSatisfying(
              ZocketException.class, e -> assertThat(e.code()).isEqualTo(ErrorCodes.DISCONNECTED));
      // Not resumed: a stream ends with its connection; a new subscription starts afresh.
      // Reconnected once a call is answered (the state may still read OPEN for a moment after the
      // stream failed: the dropped connection's streams fail before its close is reported).
      Await.until("reconnected", () -> answers(search));
      Recorder again = new Recorder(1);
      search.endless().subscribe(again);
      assertThat(again.next()).isEqualTo(new Hit(1, "endless 1"));
      assertThat(r.signals).isEmpty();
    }
  }

  @Test
  void theNumberOfStreamsPerConnectionIsBounded() throws Exception {
    Search search = connect();
    List<Recorder> open = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Recorder r = new Recorder(1);
      search.endless().subscribe(r);
      assertThat(r.next()).isEqualTo(new Hit(1, "endless 1"));
      open.add(r);
    }
    Recorder refused = new Recorder(1);
    search.endless().subscribe(refused);
    assertThat(refused.next())
        .isInstanceOfSatisfying(
            ZocketException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCodes.LIMIT_EXCEEDED);
              assertThat(e.getMessage()).contains("at most 32");
            });
    open.get(0).cancel();
    awaitCancelled(nextSource());
    // One stream ended: one more may start.
    Recorder another = new Recorder(1);
    search.endless().subscribe(another);
    assertThat(another.next()).isEqualTo(new Hit(1, "endless 1"));
  }

  @Test
  void aSlowStreamStallsNeitherCallsNorOtherStreams() {
    Search search = connect();
    Recorder slow = new Recorder(1); // asks for one item and never more
    search.endless().subscribe(slow);
    assertThat(slow.next()).isEqualTo(new Hit(1, "endless 1"));
    Recorder fast = new Recorder(Long.MAX_VALUE);
    search.find(new Query("fast", 1000)).subscribe(fast);
    for (int i = 1; i <= 1000; i++) {
      assertThat(fast.next()).isEqualTo(new Hit(i, "fast " + i));
    }
    assertThat(fast.next()).isEqualTo("complete");
    assertThat(search.ping("marker")).isEqualTo("pong marker");
    assertThat(slow.signals).isEmpty();
    Source slowSource = nextSource();
    assertThat(slowSource.requested.get()).isEqualTo(1);
  }

  private static boolean answers(Search search) {
    try {
      return "pong r".equals(search.ping("r"));
    } catch (ZocketException e) {
      return false; // DISCONNECTED: not yet reconnected
    }
  }

  private static String item(String rpcId, int n) {
    return "{\"type\":\"__stream_item\",\"payload\":{\"n\":"
        + n
        + ",\"text\":\"endless "
        + n
        + "\"},\"rpcId\":\""
        + rpcId
        + "\"}";
  }

  /** Reads frames up to and including the reply to the marker call {@code rpcId} (bounded). */
  private static List<String> readUntil(RawClient raw, String rpcId) throws Exception {
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String text = raw.read().text();
      frames.add(text);
      if (text.startsWith("{\"type\":\"__rpc_res\"")
          && text.contains("\"rpcId\":\"" + rpcId + "\"")) {
        return frames;
      }
    }
    throw new AssertionError("no answer to " + rpcId + " in 1000 frames: " + frames);
  }
}
