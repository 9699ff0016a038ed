package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies to calls count against the memory budgets, the {@code rooms.members} amplification of
 * #24 scaled to seconds: a call of a few bytes answered with 1 MiB, and attackers that make five
 * such calls each and never read (a receive buffer of 4 KiB). Before, the reply written while the
 * connection was writable sat in Netty's outbound buffer, counted nowhere: 60 attackers held 190
 * MiB of direct memory with a budget of 8 MiB (and at full scale exhausted the direct memory). Now
 * a reply counts from the moment it is encoded: attackers that hold memory are closed with 1013,
 * the replies that would take the total past the budget are answered {@code LIMIT_EXCEEDED}
 * instead, the memory the server holds stays within the budget and what the connection limit
 * accounts for, and two healthy clients that chat throughout get every message.
 */
@Timeout(120)
class ReplyMemoryTest {
  private static final Logger log = LoggerFactory.getLogger(ReplyMemoryTest.class);

  private static final long BUDGET = 8L << 20;
  private static final int WATER_HIGH = 64 * 1024;
  private static final int ATTACKERS = 60;
  private static final int CALLS = 5;
  private static final int REPLY_CHARS = 1 << 20;
  private static final String BLOB = "b".repeat(REPLY_CHARS);

  /** A call of a few bytes with a large answer, on the I/O thread, as the chat's members call. */
  @NonBlocking
  @Namespace("blobs")
  public interface Blobs {
    String blob(int size);
  }

  static final class BlobsHandler implements Blobs {
    @Override
    public String blob(int size) {
      return BLOB.substring(0, Math.min(size, REPLY_CHARS));
    }
  }

  @Test
  void attackersThatDoNotReadTheirRepliesAreClosedAndTheMemoryStaysWithinTheBudget()
      throws Exception {
    List<Integer> closeCodes = new CopyOnWriteArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    ZocketObserver observer =
        new ZocketObserver() {
          @Override
          public void onConnectionClosed(String clientId, int closeCode) {
            closeCodes.add(closeCode);
          }

          @Override
          public void onMessageHandled(
              String route,
              ZocketObserver.MessageKind kind,
              long queueWaitNanos,
              long handlerNanos,
              String errorCode) {
            if (route.equals("blobs.blob")) {
              handled.incrementAndGet();
            }
          }
        };
    ByteBufAllocatorMetricProvider allocator =
        (ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT;
    try (ZocketServer server =
        Servers.standard()
            .handle(Blobs.class, ctx -> new BlobsHandler())
            .ioThreads(2)
            .writeBufferWaterMark(WATER_HIGH / 2, WATER_HIGH)
            .maxBacklogMemory(BUDGET)
            .slowConsumerLimits(64 << 20, Duration.ofSeconds(3))
            .observer(observer)
            .start()) {
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/?user-name=w");
      Witness a = new Witness("a", uri);
      Witness b = new Witness("b", uri);
      long before = allocator.metric().usedDirectMemory();

      // Samples the memory the server holds while the attack runs.
      AtomicLong peakDirect = new AtomicLong();
      AtomicLong peakCounted = new AtomicLong();
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  peakDirect.accumulateAndGet(allocator.metric().usedDirectMemory(), Math::max);
                  peakCounted.accumulateAndGet(server.backlogMemory(), Math::max);
                  try {
                    Thread.sleep(1);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "sampler");
      sampler.setDaemon(true);
      sampler.start();

      List<RawClient> attackers = new ArrayList<>();
      int said = 0;
      for (int i = 0; i < ATTACKERS; i++) {
        RawClient attacker = RawClient.connect(server.port(), "/?user-name=x", 4096);
        attackers.add(attacker);
        // The calls in one write, so that the server reads them all before the first reply can
        // pause its reading: each is then handled, or dropped as its connection closes, counted.
        ByteArrayOutputStream calls = new ByteArrayOutputStream();
        for (int k = 0; k < CALLS; k++) {
          String call =
              "{\"type\":\"blobs.blob\",\"payload\":" + REPLY_CHARS + ",\"rpcId\":\"" + k + "\"}";
          calls.write(
              RawClient.frame(RawClient.TEXT, true, 0, call.getBytes(StandardCharsets.UTF_8)));
        }
        attacker.sendRaw(calls.toByteArray());
        // The witnesses chat throughout.
        a.say(said);
        b.say(said);
        said++;
      }
      // Every attacker still holding memory is cut: the others' replies were refused while the
      // budget was spent, and their small error answers hold nothing. A cut one's socket is kept
      // until its close frame is written (for at most 30 s): the attackers then go.
      Await.until(
          "every call handled, or dropped as its connection closed",
          Duration.ofSeconds(60),
          () -> handled.get() + server.droppedMessages(DropReason.CLOSING) == ATTACKERS * CALLS);
      Await.until(
          "nothing held for a connection still open",
          Duration.ofSeconds(60),
          () -> server.state().backlogs.open() == 0);
      sampler.interrupt();
      sampler.join();
      long slowConsumersClosed = server.slowConsumersClosed();
      for (RawClient attacker : attackers) {
        attacker.abort();
      }
      Await.until(
          "everything counted released", Duration.ofSeconds(30), () -> server.backlogMemory() == 0);
      Await.until("every attacker gone", () -> closeCodes.size() == ATTACKERS);
      for (int i = 0; i < 10; i++, said++) {
        a.say(said);
        b.say(said);
      }
      a.say(-1); // the markers: everything before them has arrived once they have
      b.say(-1);
      a.awaitMarker();
      b.awaitMarker();
      long peakGrowth = peakDirect.get() - before;
      log.info(
          "peak direct growth {} KiB, peak counted {} KiB, budget {} KiB, slow consumers closed {}",
          peakGrowth / 1024,
          peakCounted.get() / 1024,
          BUDGET / 1024,
          slowConsumersClosed);

      // Those that held memory were cut (1013), the others went themselves (1006).
      assertThat(slowConsumersClosed).isPositive();
      assertThat(closeCodes)
          .containsOnly(FrameHandler.SLOW_CONSUMER_STATUS, 1006)
          .filteredOn(code -> code == FrameHandler.SLOW_CONSUMER_STATUS)
          .hasSize((int) slowConsumersClosed);
      assertThat(a.heard).isEqualTo(b.expected(said));
      assertThat(b.heard).isEqualTo(a.expected(said));
      // Nothing dropped but calls read from attackers after they were cut.
      assertThat(server.droppedMessages()).isEqualTo(server.droppedMessages(DropReason.CLOSING));
      // What is counted stays within the budget but for one charge step per encoding thread, and a
      // frame's capacity over its length once complete (up to twice).
      assertThat(peakCounted.get())
          .isLessThanOrEqualTo(2 * BUDGET + 2L * 2 * TextFrames.CHARGE_STEP);
      // What the server holds: that, what is not counted (per connection what its socket has not
      // taken while it is not behind, below the high water mark; the frame being encoded, one per
      // I/O thread, in buffers up to twice its length while it grows), and the chunks the
      // allocator keeps around them, which do not grow with the attackers (measured: 31 to 54 MiB
      // in all with 60 attackers, 45 MiB with 180). Before, 190 MiB with 60, growing with them.
      long uncounted = (ATTACKERS + 2L) * WATER_HIGH + 2 * 3L * REPLY_CHARS;
      long allocatorChunks = 48L << 20;
      assertThat(peakGrowth).isLessThanOrEqualTo(2 * BUDGET + uncounted + allocatorChunks);
      a.close();
      b.close();
    }
    LeakDetection.assertNoLeaks();
  }

  /** A healthy member of room "w": says numbered messages and records the other's. */
  private static final class Witness {
    private static final String PREFIX = "\"text\":\"";
    final String name;
    final NettyClient client;
    final List<Integer> heard = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<String, Boolean> replies = new ConcurrentHashMap<>();
    volatile boolean marker;

    Witness(String name, URI uri) {
      this.name = name;
      this.client = NettyClient.connect(uri, new NettyClient.Options().onText(this::onText));
      client.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"w\"},\"rpcId\":\"j\"}");
      Await.until("joined", () -> replies.containsKey("j"));
    }

    private void onText(String text) {
      int at = text.indexOf(PREFIX);
      if (text.startsWith("{\"type\":\"ev.onMessage\"") && at > 0) {
        String said = text.substring(at + PREFIX.length(), text.indexOf('"', at + PREFIX.length()));
        int n = Integer.parseInt(said.substring(said.indexOf('-') + 1));
        if (n < 0) {
          marker = true;
        } else {
          heard.add(n);
        }
      } else if (text.contains("\"rpcId\":\"j\"")) {
        replies.put("j", true);
      }
    }

    void say(int n) {
      client.send(
          "{\"type\":\"t.say\",\"payload\":{\"roomId\":\"w\",\"text\":\""
              + name
              + "-"
              + n
              + "\"}}");
    }

    void awaitMarker() {
      Await.until("the marker of the other witness", Duration.ofSeconds(20), () -> marker);
    }

    List<Integer> expected(int said) {
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < said; i++) {
        all.add(i);
      }
      return all;
    }

    void close() {
      client.close();
    }
  }
}
