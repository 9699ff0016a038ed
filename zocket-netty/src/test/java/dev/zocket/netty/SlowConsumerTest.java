package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a room stops reading while 100,000 events of about 1 KiB (about 100 MiB in all) are
 * sent to the room: the others get every event in order, the server's heap stays within {@link
 * #HEAP_BOUND}, and the stalled client is handled per policy: closed with 1013 by default, its
 * events dropped and counted with {@link SlowConsumerPolicy#DROP}.
 *
 * <p>Without the bound, the stalled client's buffer alone would hold about 100 MiB. The producer
 * keeps at most {@link #WINDOW} events ahead of the healthy clients, so a healthy client is never a
 * slow consumer.
 */
@Timeout(240)
class SlowConsumerTest {
  private static final Logger log = LoggerFactory.getLogger(SlowConsumerTest.class);
  private static final int MESSAGES = 100_000;
  private static final int WINDOW = 64;
  private static final long HEAP_BOUND = 64L * 1024 * 1024;
  private static final String PAD = "x".repeat(1000);
  private static final String EVENT_PREFIX = "{\"type\":\"ev.onText\",\"payload\":\"";

  /** Counts the events of a healthy client and checks their order, on its I/O thread. */
  static final class InOrder {
    final BlockingQueue<String> others = new LinkedBlockingQueue<>();
    volatile int received;
    volatile String error;

    void onText(String text) {
      if (!text.startsWith(EVENT_PREFIX)) {
        others.add(text);
        return;
      }
      int bar = text.indexOf('|', EVENT_PREFIX.length());
      int seq = Integer.parseInt(text.substring(EVENT_PREFIX.length(), bar));
      if (seq != received && error == null) {
        error = "expected event " + received + ", got " + seq;
      }
      received = received + 1; // one writer: the client's I/O thread
    }
  }

  @Test
  void dropPolicyKeepsTheOthersWholeAndTheHeapBounded() throws Exception {
    try (ZocketServer server =
        Servers.standard().ioThreads(2).slowConsumerPolicy(SlowConsumerPolicy.DROP).start()) {
      Run run = run(server, stalledMember(server));
      log.info(
          "DROP: heap growth {} KiB (bound {} KiB), pooled direct growth {} KiB, dropped {}",
          run.heapGrowth / 1024,
          HEAP_BOUND / 1024,
          run.directGrowth / 1024,
          server.droppedMessages());
      assertThat(run.heapGrowth).isLessThan(HEAP_BOUND);
      assertThat(server.droppedMessages(DropReason.SLOW_CONSUMER)).isPositive();
      assertThat(server.droppedMessages())
          .isEqualTo(server.droppedMessages(DropReason.SLOW_CONSUMER));
      assertThat(server.slowConsumersClosed()).isZero();

      // The stalled client is still connected: once it reads again, new events reach it.
      run.stalled.autoRead(true);
      String after =
          Await.value(
              "an event sent once the stalled client has drained",
              Duration.ofSeconds(30),
              () -> {
                for (String m; (m = run.stalled.messages.poll()) != null; ) {
                  if (m.contains("\"after\"")) {
                    return m;
                  }
                }
                server.emit(Events.class).toRoom("r").onText("after"); // dropped while behind
                return null;
              });
      assertThat(after).isEqualTo(EVENT_PREFIX + "after\"}");
      run.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void byDefaultTheStalledClientIsClosedWith1013AndNothingIsDropped() throws Exception {
    try (ZocketServer server =
        Servers.standard()
            .ioThreads(2)
            .slowConsumerLimits(1 << 20, Duration.ofMinutes(1))
            .start()) {
      NettyClient stalled = stalledMember(server);
      // It reads again once it was closed: it gets the close frame before the close timeout.
      Thread watcher =
          new Thread(
              () -> {
                while (server.slowConsumersClosed() == 0 && !Thread.interrupted()) {
                  LockSupport.parkNanos(1_000_000);
                }
                stalled.autoRead(true);
              });
      watcher.start();
      Run run = run(server, stalled);
      watcher.interrupt();
      log.info(
          "CLOSE: heap growth {} KiB, closed {}",
          run.heapGrowth / 1024,
          server.slowConsumersClosed());
      assertThat(run.heapGrowth).isLessThan(HEAP_BOUND);
      assertThat(server.slowConsumersClosed()).isEqualTo(1);
      assertThat(server.droppedMessages()).isZero();
      // Its backlog was released: what it read was at most Netty's buffer, then the close.
      assertThat(run.stalled.awaitClose()).isEqualTo(1013);
      run.close();
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aClientBehindForTooLongIsClosedWith1013() throws Exception {
    List<String> observed = new CopyOnWriteArrayList<>();
    ZocketObserver observer =
        new ZocketObserver() {
          @Override
          public void onSlowConsumer(SlowConsumerAction action) {
            observed.add(action.name());
          }

          @Override
          public void onConnectionClosed(String clientId, int closeCode) {
            observed.add("closed " + closeCode);
          }
        };
    try (ZocketServer server =
            Servers.standard()
                .slowConsumerLimits(64 << 20, Duration.ofMillis(300))
                .observer(observer)
                .start();
        NettyClient stalled = stalledMember(server)) {
      Events room = server.emit(Events.class).toRoom("r");
      // A trickle fills the small socket buffers and then Netty's, but never the large backlog.
      for (int i = 0; i < 100_000 && server.slowConsumersClosed() == 0; i++) {
        room.onText(i + "|" + PAD);
        if (i % 100 == 99) {
          Thread.sleep(5);
        }
      }
      assertThat(server.slowConsumersClosed()).isEqualTo(1);
      stalled.autoRead(true);
      assertThat(stalled.awaitClose()).isEqualTo(1013);
      Await.until("the close reported", () -> observed.size() == 2);
      assertThat(observed).containsExactly("CLOSED", "closed 1013");
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void slowConsumersThatReadOnlyAfterTheCloseTimeoutStillSee1013() throws Exception {
    // Before, the close frame waited behind Netty's buffer and was discarded with it when the
    // socket closed at the close timeout: 0 of 200 clients reading after 12 s saw their 1013.
    int stalledCount = 20;
    try (ZocketServer server =
        Servers.standard().slowConsumerLimits(64 << 20, Duration.ofMillis(300)).start()) {
      InOrder order = new InOrder();
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/?user-name=h");
      try (NettyClient healthy =
          NettyClient.connect(uri, new NettyClient.Options().onText(order::onText))) {
        healthy.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
        assertThat(order.others.poll(10, TimeUnit.SECONDS)).contains("\"rpcId\":\"j\"");
        List<RawClient> stalled = new ArrayList<>();
        try {
          for (int i = 0; i < stalledCount; i++) {
            RawClient c = RawClient.connect(server.port(), "/?user-name=s", 4096);
            c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
            c.readTimeout(10_000);
            assertThat(c.readSkippingPings().text()).contains("\"rpcId\":\"j\"");
            stalled.add(c); // reads nothing more until the end
          }
          Events room = server.emit(Events.class).toRoom("r");
          int sent = 0;
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (server.slowConsumersClosed() < stalledCount && System.nanoTime() < deadline) {
            room.onText(sent++ + "|" + PAD);
            if (sent % 100 == 0) {
              Thread.sleep(5); // a trickle the healthy member keeps up with
            }
          }
          assertThat(server.slowConsumersClosed()).isEqualTo(stalledCount);
          int total = sent;
          Await.until(
              "the healthy member has every event",
              Duration.ofSeconds(30),
              () -> order.received == total);
          assertThat(order.error).isNull();
          // The stalled clients start to read only after the close timeout has passed.
          Thread.sleep(CloseHandshake.TIMEOUT_MILLIS + 1_000);
          int saw1013 = 0;
          for (RawClient c : stalled) {
            RawClient.Frame f = null;
            try {
              f = c.read();
              for (int i = 0; i < 1_000_000 && f != null && f.opcode() != RawClient.CLOSE; i++) {
                f = c.read(); // the events the socket buffers held, then the close
              }
            } catch (IOException e) {
              // the stream ended in the middle of a frame: no close frame
            }
            if (f != null && f.opcode() == RawClient.CLOSE && f.closeStatus() == 1013) {
              saw1013++;
            }
          }
          assertThat(saw1013).isEqualTo(stalledCount);
          // The healthy member is still served.
          room.onText(total + "|" + PAD);
          Await.until(
              "the healthy member gets a later event",
              Duration.ofSeconds(10),
              () -> order.received == total + 1);
          assertThat(order.error).isNull();
        } finally {
          for (RawClient c : stalled) {
            c.close();
          }
        }
      }
    }
    LeakDetection.assertNoLeaks();
  }

  @Test
  void whatCutConnectionsNoLongerHoldStopsCountingAtOnce() throws Exception {
    // Before, a cut connection's close counted what Netty held just before the close dropped the
    // frames the socket had not begun (about the high water mark each), until the socket closed:
    // up to 30 s while the client does not read. 20 such connections counted about 5 MiB that the
    // server no longer held, against the budget of the connections still open.
    int stalledCount = 20;
    try (ZocketServer server =
        Servers.standard().slowConsumerLimits(1 << 20, Duration.ofMinutes(1)).start()) {
      List<RawClient> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < stalledCount; i++) {
          RawClient c = RawClient.connect(server.port(), "/?user-name=s", 4096);
          c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
          c.readTimeout(10_000);
          assertThat(c.readSkippingPings().text()).contains("\"rpcId\":\"j\"");
          stalled.add(c); // reads nothing more until the end
        }
        Events room = server.emit(Events.class).toRoom("r");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int sent = 0;
            server.slowConsumersClosed() < stalledCount && System.nanoTime() < deadline;
            sent++) {
          room.onText(sent + "|" + PAD);
          if (sent % 100 == 99) {
            Thread.sleep(1);
          }
        }
        assertThat(server.slowConsumersClosed()).isEqualTo(stalledCount);
        // Each cut connection's socket stays open for its close frame, which Netty holds behind
        // at most the rest of one event: that is all that may count.
        Await.until(
            "the budget counts only what the cut connections still hold",
            Duration.ofSeconds(10),
            () -> server.backlogMemory() < stalledCount * 16L * 1024);
        log.info(
            "The budget counts {} bytes for {} cut connections",
            server.backlogMemory(),
            stalledCount);
      } finally {
        for (RawClient c : stalled) {
          c.close();
        }
      }
    }
    LeakDetection.assertNoLeaks();
  }

  private record Run(
      NettyClient stalled, List<NettyClient> healthy, long heapGrowth, long directGrowth) {
    void close() {
      stalled.close();
      healthy.forEach(NettyClient::close);
    }
  }

  private static Run run(ZocketServer server, NettyClient stalled) throws InterruptedException {
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/?user-name=u");
    List<InOrder> orders = new ArrayList<>();
    List<NettyClient> healthy = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      InOrder order = new InOrder();
      NettyClient c = NettyClient.connect(uri, new NettyClient.Options().onText(order::onText));
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
      assertThat(order.others.poll(10, TimeUnit.SECONDS)).contains("\"rpcId\":\"j\"");
      orders.add(order);
      healthy.add(c);
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long heapBefore = usedHeapAfterGc(memory);
    long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

    Events room = server.emit(Events.class).toRoom("r");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (int i = 0; i < MESSAGES; i++) {
      room.onText(i + "|" + PAD);
      while (i + 1 - slowest(orders) > WINDOW) {
        assertThat(System.nanoTime())
            .as(() -> "time left at event " + progress(orders, server))
            .isLessThan(deadline);
        LockSupport.parkNanos(50_000);
      }
    }
    while (slowest(orders) < MESSAGES) {
      assertThat(System.nanoTime())
          .as(() -> "time left at the end " + progress(orders, server))
          .isLessThan(deadline);
      LockSupport.parkNanos(100_000);
    }
    long heapGrowth = usedHeapAfterGc(memory) - heapBefore;
    long directGrowth = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
    for (InOrder order : orders) {
      assertThat(order.error).isNull();
      assertThat(order.received).isEqualTo(MESSAGES);
    }
    return new Run(stalled, healthy, heapGrowth, directGrowth);
  }

  /** A member of room "r" that has stopped reading, with a small socket buffer. */
  private static NettyClient stalledMember(ZocketServer server) {
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/?user-name=u");
    NettyClient stalled =
        NettyClient.connect(uri, new NettyClient.Options().receiveBuffer(4096).headers(Map.of()));
    stalled.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"r\"},\"rpcId\":\"j\"}");
    assertThat(stalled.next()).contains("\"rpcId\":\"j\"");
    stalled.autoRead(false);
    return stalled;
  }

  private static String progress(List<InOrder> orders, ZocketServer server) {
    StringBuilder sb = new StringBuilder("received");
    for (InOrder o : orders) {
      sb.append(' ').append(o.received).append(o.error != null ? " (" + o.error + ")" : "");
    }
    return sb.append(", dropped ").append(server.droppedMessages()).toString();
  }

  private static int slowest(List<InOrder> orders) {
    int min = Integer.MAX_VALUE;
    for (InOrder o : orders) {
      min = Math.min(min, o.received);
    }
    return min;
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
