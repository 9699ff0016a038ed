package dev.zocket.bench.faults;

import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import java.time.Duration;
import java.util.BitSet;
import java.util.function.LongSupplier;

/**
 * The fault driver's client side: the chat clients ({@link Member}) and the three of them that post
 * numbered messages ({@link Sender}). The threading of each is on its class.
 */
final class FaultClients {
  private FaultClients() {}

  /**
   * One client: in one room, recording which numbered messages of the room's sender arrived, how
   * many twice, when the first one sent after the fault was healed ({@code healedAt}, the driver's)
   * arrived, and its reconnections. Its fields are guarded by this; the client's callbacks run on
   * its callback thread.
   */
  static final class Member implements RoomEvents {
    final int index;
    final int homeNode;
    final int room;
    final boolean recovery;
    private final LongSupplier healedAt;
    volatile boolean moved;
    private ZocketClient client;
    private final BitSet got = new BitSet();
    private int duplicates;
    private long servedAt = -1;
    private boolean marker;
    private int opens;
    private int resumed;
    private int fresh;
    private long replayed;
    private long reopenedAt = -1;
    private boolean resumedNow;

    Member(int index, int homeNode, int room, boolean recovery, LongSupplier healedAt) {
      this.index = index;
      this.homeNode = homeNode;
      this.room = room;
      this.recovery = recovery;
      this.healedAt = healedAt;
    }

    void connect(java.net.URI uri) {
      client =
          ZocketClient.builder(uri)
              .header("user-name", "c" + index)
              .on(RoomEvents.class, this)
              .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)))
              .recovery(recovery)
              .onOpen(this::opened)
              .connect();
    }

    private void opened(ZocketClient c) {
      synchronized (this) {
        opens++;
        if (opens > 1) {
          reopenedAt = System.nanoTime();
          resumedNow = c.recovered();
          if (c.recovered()) {
            resumed++;
          } else {
            fresh++;
          }
        }
      }
      if (!c.recovered()) {
        c.proxy(Rooms.class).join(new RoomId("r" + room));
      }
    }

    @Override
    public void onJoin(Joined event) {}

    @Override
    public void onMessage(ChatMessage message) {
      long now = System.nanoTime();
      String content = message.content();
      int colon = content.indexOf(':');
      if (colon < 0) {
        return;
      }
      long sentAt = Long.parseLong(content.substring(colon + 1));
      synchronized (this) {
        if (content.startsWith("M")) {
          marker = true;
          return;
        }
        int seq = Integer.parseInt(content.substring(0, colon));
        if (got.get(seq)) {
          duplicates++;
        } else {
          got.set(seq);
          if (resumedNow && sentAt < reopenedAt) {
            replayed++;
          }
        }
        if (servedAt < 0 && sentAt > healedAt.getAsLong()) {
          servedAt = now;
        }
      }
    }

    synchronized boolean receiving() {
      return !got.isEmpty();
    }

    synchronized boolean markerSeen() {
      return marker;
    }

    synchronized long servedAt() {
      return servedAt;
    }

    synchronized BitSet gotCounted(int from) {
      BitSet b = (BitSet) got.clone();
      b.clear(0, from);
      return b;
    }

    synchronized int duplicates() {
      return duplicates;
    }

    synchronized long replayed() {
      return replayed;
    }

    synchronized int resumed() {
      return resumed;
    }

    synchronized int fresh() {
      return fresh;
    }

    void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  /**
   * A member that posts numbered messages to its room at the configured rate. Guarded by this;
   * ticks run on the senders' thread, one at a time.
   */
  static final class Sender {
    final int room;
    private final Member member;
    private final BitSet sent = new BitSet();
    private int next;
    private int failed;
    volatile int from = Integer.MAX_VALUE;

    Sender(int room, Member member) {
      this.room = room;
      this.member = member;
    }

    synchronized void tick() {
      int seq = next++;
      try {
        member
            .client
            .proxy(Rooms.class)
            .message(new PostMessage("r" + room, seq + ":" + System.nanoTime()));
        sent.set(seq);
      } catch (RuntimeException e) {
        failed++; // not connected: the message was never sent
      }
    }

    /** Sends refused because the sender was not connected (none of them counted as sent). */
    synchronized int refused() {
      return failed;
    }

    /** Counts from the next message on: every client receives the room's messages by now. */
    synchronized void startCounting() {
      from = next;
    }

    synchronized BitSet sentCounted() {
      BitSet b = (BitSet) sent.clone();
      b.clear(0, from);
      return b;
    }

    void marker() {
      try {
        member
            .client
            .proxy(Rooms.class)
            .message(new PostMessage("r" + room, "M:" + System.nanoTime()));
      } catch (RuntimeException e) {
        // not connected yet: the next round sends another
      }
    }
  }
}
