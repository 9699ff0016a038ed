package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.netty.TestApi.User;
import dev.zocket.test.Await;
import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames written straight to the socket at the end of a pass ({@link SocketWrites}): what the
 * socket does not take at once goes on through Netty's buffer from the first byte it did not take,
 * and frames a pass gathered go out before the close frame that ends it. The events are emitted
 * from a {@link NonBlocking} handler, so they are gathered on the I/O thread, in passes of up to
 * hundreds of kilobytes, to a client whose socket has a receive buffer of 4 KiB. On each transport:
 * epoll takes the direct path, io_uring (whose sockets block) and NIO go through Netty's buffer,
 * and a client that stops reading holds up no other connection of its I/O thread. With TLS, every
 * frame goes through the TLS handler instead, copied into records: the same holds, for frames
 * smaller and larger than a TLS record, and for small frames that fill several records in a pass.
 */
@Timeout(60)
class SocketWritesTest {
  @TempDir static Path dir;
  private static Certificates certificates;
  private static SslContext trusting;

  @BeforeAll
  static void makeCertificate() throws Exception {
    LeakDetection.install(); // before the JVM's first Netty buffer
    certificates = Certificates.create(dir);
    trusting =
        SslContextBuilder.forClient().trustManager(certificates.certificatePem().toFile()).build();
  }

  /** The transports, each without TLS and with it. */
  static Stream<Arguments> paths() {
    return Stream.of(IoTransport.EPOLL, IoTransport.IO_URING, IoTransport.NIO)
        .flatMap(t -> Stream.of(Arguments.of(t, false), Arguments.of(t, true)));
  }

  /** Event sizes, in turn: small frames, and frames far larger than any socket buffer here. */
  private static final int[] SIZES = {10, 1_000, 70_000, 300, 5_000, 200_000, 1, 20_000};

  public record Burst(int from, int count) {}

  @Namespace("w")
  public interface Writes {
    /** Emits events {@code from} .. {@code from + count - 1} to the caller. */
    @NonBlocking
    void burst(Burst b);

    /** The same, then closes the connection. */
    @NonBlocking
    void burstThenClose(Burst b);

    /** Emits events {@code from} .. {@code from + count - 1} of {@link #small} to the caller. */
    @NonBlocking
    void smallBurst(Burst b);

    /**
     * As {@link #smallBurst}, then {@link #LATER} more small events in a later pass of the I/O
     * thread, then counts {@link #laterPassDone} down in a pass after that one.
     */
    @NonBlocking
    void smallBurstThenMoreLater(Burst b);
  }

  /** The events of the later pass of {@link Writes#smallBurstThenMoreLater}. */
  static final int LATER = 5;

  /** Counted down once the later pass of {@link Writes#smallBurstThenMoreLater} was flushed. */
  static volatile CountDownLatch laterPassDone;

  /** The server of the test that calls {@link Writes#smallBurstThenMoreLater}. */
  static volatile ZocketServer laterServer;

  static final class WritesHandler implements Writes {
    private final Context<User> ctx;

    WritesHandler(Context<User> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void burst(Burst b) {
      Events me = ctx.emit(Events.class).to(ctx.clientId());
      for (int i = b.from(); i < b.from() + b.count(); i++) {
        me.onText(text(i));
      }
    }

    @Override
    public void burstThenClose(Burst b) {
      burst(b);
      ctx.close();
    }

    @Override
    public void smallBurst(Burst b) {
      Events me = ctx.emit(Events.class).to(ctx.clientId());
      for (int i = b.from(); i < b.from() + b.count(); i++) {
        me.onText(small(i));
      }
    }

    /**
     * On the I/O thread: each task queued here runs after the end-of-pass flush that the writes
     * before it queued ({@link Flusher}), so each is a pass of its own.
     */
    @Override
    public void smallBurstThenMoreLater(Burst b) {
      ServerConnection connection = laterServer.directory().connection(ctx.clientId());
      // A small send buffer, as the client's receive buffer: the socket takes a few kilobytes of
      // the burst, wherever the kernel's autotuning would take the buffer.
      connection.channel().config().setOption(ChannelOption.SO_SNDBUF, 4096);
      smallBurst(b);
      EventLoop loop = connection.eventLoop();
      CountDownLatch done = laterPassDone;
      loop.execute(
          () -> {
            smallBurst(new Burst(b.from() + b.count(), LATER));
            loop.execute(done::countDown);
          });
    }
  }

  /** Event {@code i}: its number, then a letter of its own repeated to its size. */
  static String text(int i) {
    return i + "|" + String.valueOf((char) ('a' + i % 26)).repeat(SIZES[i % SIZES.length]);
  }

  /**
   * Small event {@code i}: its number, then a letter of its own repeated to about 1,000 characters,
   * so that a TLS record (16 KiB) ends inside a frame.
   */
  static String small(int i) {
    return i + "|" + String.valueOf((char) ('a' + i % 26)).repeat(997);
  }

  /** Checks that events arrive whole and in order, on the client's I/O thread. */
  static final class Whole {
    final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final IntFunction<String> textOf;
    volatile int received;
    volatile String error;

    /** Events as {@link SocketWritesTest#text}. */
    Whole() {
      this(SocketWritesTest::text);
    }

    /** Events whose {@code i}th is {@code text.apply(i)}. */
    Whole(IntFunction<String> text) {
      this.textOf = text;
    }

    /**
     * Waits until {@code n} events arrived, and asserts that exactly they did, whole and in order.
     */
    void awaitAll(int n) {
      Await.until(n + " events", () -> received >= n || error != null);
      assertThat(error).isNull();
      assertThat(received).isEqualTo(n);
    }

    void onText(String text) {
      if (!text.startsWith("{\"type\":\"ev.onText\"")) {
        replies.add(text);
        return;
      }
      String expected = "{\"type\":\"ev.onText\",\"payload\":\"" + textOf.apply(received) + "\"}";
      if (error == null && !text.equals(expected)) {
        error =
            "event "
                + received
                + " differs: "
                + text.substring(0, Math.min(60, text.length()))
                + "… ("
                + text.length()
                + " chars, expected "
                + expected.length()
                + ")";
      }
      received = received + 1; // one writer: the client's I/O thread
    }
  }

  private static ZocketServer server(IoTransport transport, boolean tls) {
    ZocketServer.Builder<TestApi.Headers, User> b =
        Servers.standard()
            .handle(Writes.class, WritesHandler::new)
            .ioThreads(1)
            .transport(transport);
    if (tls) {
      b.tls(certificates.certificatePem(), certificates.privateKeyPem());
    }
    return b.start();
  }

  private static NettyClient slowReader(ZocketServer server, boolean tls, Whole whole) {
    URI uri = URI.create((tls ? "wss" : "ws") + "://127.0.0.1:" + server.port() + "/?user-name=u");
    NettyClient.Options o = new NettyClient.Options().receiveBuffer(4096).onText(whole::onText);
    return NettyClient.connect(uri, tls ? o.ssl(trusting) : o);
  }

  private static String burst(String method, int from, int count, String id) {
    return "{\"type\":\"w."
        + method
        + "\",\"payload\":{\"from\":"
        + from
        + ",\"count\":"
        + count
        + "},\"rpcId\":\""
        + id
        + "\"}";
  }

  @ParameterizedTest(name = "{0}, TLS {1}")
  @MethodSource("paths")
  void framesTheSocketCannotTakeAtOnceArriveWholeAndInOrder(IoTransport transport, boolean tls)
      throws Exception {
    try (ZocketServer server = server(transport, tls)) {
      Whole whole = new Whole();
      NettyClient client = slowReader(server, tls, whole);
      // Three bursts while the client does not read: the socket takes a part of the first
      // pass's write, Netty's buffer the rest, then the backlog; then reading resumes.
      client.autoRead(false);
      client.send(burst("burst", 0, 40, "a"));
      client.send(burst("burst", 40, 40, "b"));
      client.send(burst("burst", 80, 40, "c"));
      client.autoRead(true);
      Await.until("the first 120 events", () -> whole.received >= 120 || whole.error != null);
      // And bursts to a client that reads, but slowly, through its small buffer.
      for (int n = 1; n <= 10; n++) {
        client.send(burst("burst", n * 120, 120, "n" + n));
      }
      whole.awaitAll(1_320);
      client.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @ParameterizedTest(name = "{0}, TLS {1}")
  @MethodSource("paths")
  void smallFramesOfAPassArriveWholeAndInOrderAcrossRecords(IoTransport transport, boolean tls)
      throws Exception {
    try (ZocketServer server = server(transport, tls)) {
      Whole whole = new Whole(SocketWritesTest::small);
      NettyClient client = slowReader(server, tls, whole);
      // About 300 KB of 1 KB frames per pass: more than Netty's high water mark, so a pass writes
      // its frames in several parts, each filling 16 KB buffers (TLS records, or on io_uring and
      // NIO entries of Netty's buffer) that end inside frames.
      for (int n = 0; n < 4; n++) {
        client.send(burst("smallBurst", n * 300, 300, "s" + n));
      }
      whole.awaitAll(1_200);
      client.close();
    }
    LeakDetection.assertNoLeaks();
  }

  /**
   * The attack: a client stops reading while the server writes it more than its socket takes. No
   * write may wait for that socket (an io_uring socket blocks, and a direct write to it held the
   * I/O thread until the client read): another client of the same I/O thread still gets its events.
   */
  @ParameterizedTest(name = "{0}, TLS {1}")
  @MethodSource("paths")
  void aClientThatStopsReadingHoldsUpNoOtherConnection(IoTransport transport, boolean tls)
      throws Exception {
    try (ZocketServer server = server(transport, tls)) {
      Whole stalled = new Whole(SocketWritesTest::small);
      NettyClient staller = slowReader(server, tls, stalled);
      laterPassDone = new CountDownLatch(1);
      laterServer = server;
      staller.autoRead(false);
      staller.send(burst("smallBurstThenMoreLater", 0, 200, "s"));
      Whole other = new Whole(SocketWritesTest::small);
      NettyClient reader = slowReader(server, tls, other);
      reader.send(burst("smallBurst", 0, 20, "r"));
      other.awaitAll(20);
      assertThat(laterPassDone.await(20, TimeUnit.SECONDS)).as("the later pass").isTrue();
      staller.autoRead(true);
      stalled.awaitAll(200 + LATER);
      staller.close();
      reader.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void sparesLeftByAPassToManyGoOnceTheThreadFallsQuiet() throws Exception {
    int members = SocketWrites.MIN_SPARE + 150;
    try (ZocketServer server = server(IoTransport.EPOLL, false)) {
      List<NettyClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < members; i++) {
          URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/?user-name=u" + i);
          NettyClient c = NettyClient.connect(uri);
          clients.add(c);
          c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"all\"}}");
        }
        Await.until(
            "every client in the room",
            () -> {
              Room room = server.directory().room("all");
              return room != null && room.members().size() == members;
            });
        EventLoop loop = server.directory().room("all").members().iterator().next().eventLoop();
        // One pass writes to every member; the probe runs behind it (two hops: behind the tasks
        // the fan-out queued), and finds the thread keeping what the pass lent.
        loop.submit(() -> server.emit(Events.class).toRoom("all").onText("burst")).get();
        int afterPass = loop.submit(() -> loop.submit(SocketWrites::spareCount)).get().get();
        assertThat(afterPass).isGreaterThanOrEqualTo(members);
        for (NettyClient c : clients) {
          assertThat(c.next()).contains("burst"); // the pass did write to every member
        }
        // No pass comes after it (pings are written on their own): the thread trims on its own.
        Await.until(
            "the spares trimmed",
            () ->
                loop.submit(SocketWrites::spareCount).syncUninterruptibly().getNow()
                    <= SocketWrites.MIN_SPARE);
      } finally {
        clients.forEach(NettyClient::close);
      }
    }
    LeakDetection.assertNoLeaks();
  }

  @ParameterizedTest(name = "{0}, TLS {1}")
  @MethodSource("paths")
  void framesGatheredInAPassGoOutBeforeItsCloseFrame(IoTransport transport, boolean tls)
      throws Exception {
    try (ZocketServer server = server(transport, tls)) {
      for (int round = 0; round < 5; round++) {
        Whole whole = new Whole();
        NettyClient client = slowReader(server, tls, whole);
        client.send(burst("burstThenClose", 0, 50, "x"));
        assertThat(client.awaitClose()).isEqualTo(1000);
        // The client stops reading at the close frame: every event came before it.
        assertThat(whole.error).isNull();
        assertThat(whole.received).as("events before the close frame").isEqualTo(50);
      }
    }
    LeakDetection.assertNoLeaks();
  }
}
