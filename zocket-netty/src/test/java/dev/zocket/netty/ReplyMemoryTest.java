package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.test.internal.RawClient;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * the attackers are closed with 1013, the memory the server holds stays within the budget and the
 * allowances the budget's rule and the connection limit account for, and two healthy clients that
 * chat throughout get every message.
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

  /** The most one attacker makes the server hold: its replies, in buffers twice their size. */
  private static final long ATTACKER_MAX = CALLS * 2L * REPLY_CHARS;

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
    ZocketObserver observer =
        new ZocketObserver() {
          @Override
          public void onConnectionClosed(String clientId, int closeCode) {
            closeCodes.add(closeCode);
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
        for (int k = 0; k < CALLS; k++) {
          attacker.sendText(
              "{\"type\":\"blobs.blob\",\"payload\":" + REPLY_CHARS + ",\"rpcId\":\"" + k + "\"}");
        }
        // The witnesses chat throughout.
        a.say(said);
        b.say(said);
        said++;
      }
      Await.until(
          "every attacker closed", Duration.ofSeconds(60), () -> closeCodes.size() >= ATTACKERS);
      sampler.interrupt();
      sampler.join();
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
          server.slowConsumersClosed());

      assertThat(closeCodes).hasSize(ATTACKERS).containsOnly(FrameHandler.SLOW_CONSUMER_STATUS);
      assertThat(server.slowConsumersClosed()).isEqualTo(ATTACKERS);
      assertThat(a.heard).isEqualTo(b.expected(said));
      assertThat(b.heard).isEqualTo(a.expected(said));
      assertThat(server.droppedMessages()).isZero();
      // What the server holds: the budget, passed by what connections below the average of those
      // behind hold (past the budget one is cut when it adds and holds at least the average), in
      // buffers up to twice what they count (a reply partly written is counted by what is left of
      // it); what is not counted (per connection what its socket has not taken while it is not
      // behind, below the high water mark; the replies being encoded, one per I/O thread); and
      // what the allocator keeps around them. Measured 51 to 82 MiB; before, 190 MiB.
      long uncounted = (ATTACKERS + 2L) * WATER_HIGH + 2 * 2L * REPLY_CHARS;
      assertThat(peakGrowth).isLessThanOrEqualTo(3 * (BUDGET + 2 * ATTACKER_MAX) + uncounted);
      // Everything counted is released once the attackers are gone.
      Await.until("nothing counted", () -> server.backlogMemory() == 0);
      for (RawClient attacker : attackers) {
        attacker.abort();
      }
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
