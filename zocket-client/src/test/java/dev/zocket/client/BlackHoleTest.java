package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A connection that stops carrying anything without closing (a black hole: a sleeping laptop, a NAT
 * that forgot the connection) is noticed by the client's heartbeat within its idle timeout, and
 * with recovery on the client resumes its session with nothing lost: the events the server
 * published into the black hole arrive after the resumption, in order, once each.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class BlackHoleTest {
  public record Room(String roomId) {}

  public record Item(int n) {}

  @Namespace("feed")
  public interface Feed {
    void join(Room room);

    CompletableFuture<String> ping();
  }

  @Namespace("feed")
  public interface FeedEvents {
    default void onItem(Item item) {}
  }

  static final class FeedHandler implements Feed {
    private final Context<String> ctx;

    FeedHandler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(Room room) {
      ctx.rooms().join(room.roomId());
    }

    @Override
    public CompletableFuture<String> ping() {
      return CompletableFuture.completedFuture("pong");
    }
  }

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void aBlackHoledConnectionIsNoticedWithinTheIdleTimeoutAndResumedWithNothingLost()
      throws Exception {
    Duration idleTimeout = Duration.ofSeconds(2);
    ZocketServer server =
        ZocketServer.builder()
            .host("127.0.0.1")
            .port(0)
            .onConnect((headers, clientId) -> clientId)
            .handle(Feed.class, FeedHandler::new)
            .recovery(Duration.ofSeconds(60), 10_000)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
    closing.add(server);
    BlackHoleProxy proxy = new BlackHoleProxy(server.port());
    closing.add(proxy);

    List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    BlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
    BlockingQueue<Long> disconnectedAt = new LinkedBlockingQueue<>();
    BlockingQueue<String> closes = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> recoveries = new LinkedBlockingQueue<>();
    ZocketClient client =
        ZocketClient.builder(URI.create("ws://127.0.0.1:" + proxy.port()))
            .idleTimeout(idleTimeout)
            .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(50)))
            .on(
                FeedEvents.class,
                new FeedEvents() {
                  @Override
                  public void onItem(Item item) {
                    items.add(item.n());
                  }
                })
            .observer(
                new ClientObserver() {
                  @Override
                  public void onDisconnected(int code, String reason) {
                    disconnectedAt.add(System.nanoTime());
                  }

                  @Override
                  public void onRecovery(boolean resumed) {
                    recoveries.add(resumed);
                  }
                })
            .onClose((code, reason) -> closes.add(code + " " + reason))
            .onOpen(
                c -> {
                  opens.add(c.recovered());
                  if (!c.recovered()) {
                    c.proxy(Feed.class).join(new Room("news"));
                  }
                })
            .connect();
    closing.add(client);
    assertThat(Await.next("the first open", opens)).isFalse();
    assertThat(client.proxy(Feed.class).ping().get(5, TimeUnit.SECONDS)).isEqualTo("pong");

    int before = 100;
    int during = 200;
    for (int i = 0; i < before; i++) {
      server.emit(FeedEvents.class).toRoom("news").onItem(new Item(i));
    }
    Await.until("the first items", () -> items.size() == before);

    long holed = System.nanoTime();
    proxy.blackHole();
    // Published into the black hole: written by the server, never delivered on this connection.
    for (int i = before; i < before + during; i++) {
      server.emit(FeedEvents.class).toRoom("news").onItem(new Item(i));
    }

    long detected = Await.next("the drop noticed", disconnectedAt);
    long detectionMillis = TimeUnit.NANOSECONDS.toMillis(detected - holed);
    // A measurement for the report, printed (the tests' log configuration shows warnings only).
    System.out.printf(
        "BlackHoleTest: the black hole was noticed %d ms after it began (idle timeout %d ms)%n",
        detectionMillis, idleTimeout.toMillis());
    assertThat(Await.next("onClose", closes))
        .isEqualTo("1006 No data from the server for " + idleTimeout.toMillis() + " ms");
    // The bound: the idle timeout after the last byte from the server, which came before the hole
    // opened; the margin is for a loaded machine's scheduling only.
    assertThat(detectionMillis).isLessThan(idleTimeout.toMillis() + 1_500);
    assertThat(items).hasSize(before); // nothing came through the hole

    assertThat(Await.next("the reopening", opens)).as("resumed its session").isTrue();
    long resumed = System.nanoTime();
    assertThat(Await.next("the observer told of the recovery", recoveries)).isTrue();
    System.out.printf(
        "BlackHoleTest: resumed %d ms after the drop was noticed%n",
        TimeUnit.NANOSECONDS.toMillis(resumed - detected));
    server.emit(FeedEvents.class).toRoom("news").onItem(new Item(-1)); // the marker
    Await.until("the marker", () -> items.contains(-1));
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < before + during; i++) {
      expected.add(i);
    }
    expected.add(-1);
    synchronized (items) {
      assertThat(items).containsExactlyElementsOf(expected);
    }
    assertThat(proxy.accepted()).isEqualTo(2);
  }

  /**
   * A TCP proxy on 127.0.0.1 whose {@link #blackHole()} makes the connections open at that moment
   * stop forwarding in both directions without closing anything: what arrives is read and
   * discarded, and no FIN or RST is passed on. Connections accepted later forward as usual.
   */
  static final class BlackHoleProxy implements AutoCloseable {
    private final ServerSocket serverSocket;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    BlackHoleProxy(int targetPort) throws IOException {
      this.targetPort = targetPort;
      this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = new Thread(this::acceptLoop, "black-hole-proxy-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return serverSocket.getLocalPort();
    }

    int accepted() {
      return pairs.size();
    }

    /** From now on, the connections open now carry nothing, in either direction. */
    void blackHole() {
      for (Pair p : pairs) {
        p.holed = true;
      }
    }

    private void acceptLoop() {
      while (!serverSocket.isClosed()) {
        try {
          Socket client = serverSocket.accept();
          Socket server = new Socket();
          server.connect(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
          client.setTcpNoDelay(true);
          server.setTcpNoDelay(true);
          sockets.add(client);
          sockets.add(server);
          Pair pair = new Pair();
          pairs.add(pair);
          pump(pair, client, server, "up");
          pump(pair, server, client, "down");
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private void pump(Pair pair, Socket from, Socket to, String direction) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream()) {
                  OutputStream out = to.getOutputStream();
                  for (int n; (n = in.read(buffer)) != -1; ) {
                    if (!pair.holed) {
                      out.write(buffer, 0, n);
                      out.flush();
                    }
                  }
                  if (!pair.holed) {
                    to.shutdownOutput();
                  }
                } catch (IOException e) {
                  // the socket closed: the pump ends
                }
              },
              "black-hole-proxy-" + direction);
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      serverSocket.close();
      for (Socket s : sockets) {
        s.close();
      }
    }

    private static final class Pair {
      volatile boolean holed;
    }
  }
}
