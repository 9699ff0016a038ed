package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.Certificates;
import dev.zocket.test.LeakDetection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room events held back until an I/O thread's pass ends and written joined ({@link RoomFrames}):
 * every member gets its rooms' events and no other, in the order they were sent, among events to
 * other rooms, to single clients and to a room but one, behind none of the replies sent after them,
 * whichever I/O thread it is on and however its connection writes (plain, permessage-deflate, TLS);
 * one that joins or leaves in the middle of a pass gets what was sent after its join, or before its
 * leave.
 */
@Timeout(60)
class RoomFramesTest {
  /** Every 24th event of a burst is larger than the joined buffer holds. */
  private static final String LARGE = "L".repeat(RoomFrames.MAX_BYTES + 100);

  /** Routes on the I/O thread, so that what one call sends is all one pass. */
  @NonBlocking
  @Namespace("b")
  public interface Bursts {
    /** Sends {@code n} events ({@link #event}) in one pass; answers {@code n}. */
    int burst(int n);

    /** Sends "before" to the room, joins it, sends "after". */
    void joinBetween(String room);

    /** Sends "before" to the room, leaves it, sends "after". */
    void leaveBetween(String room);
  }

  static final class BurstsHandler implements Bursts {
    private final Context<?> ctx;

    BurstsHandler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public int burst(int n) {
      for (int i = 0; i < n; i++) {
        String text = text(i);
        switch (i % 6) {
          case 0, 1, 4 -> ctx.emit(Events.class).toRoom("a").onText(text);
          case 2 -> ctx.emit(Events.class).toRoom("b").onText(text);
          case 3 -> ctx.emit(Events.class).to(ctx.clientId()).onText(text);
          default -> ctx.emit(Events.class).except(ctx.clientId()).toRoom("a").onText(text);
        }
      }
      return n;
    }

    @Override
    public void joinBetween(String room) {
      ctx.emit(Events.class).toRoom(room).onText("before");
      ctx.rooms().join(room);
      ctx.emit(Events.class).toRoom(room).onText("after");
    }

    @Override
    public void leaveBetween(String room) {
      ctx.emit(Events.class).toRoom(room).onText("before");
      ctx.rooms().leave(room);
      ctx.emit(Events.class).toRoom(room).onText("after");
    }
  }

  @TempDir Path dir;

  private final List<NettyClient> clients = new ArrayList<>();

  @BeforeAll
  static void detectLeaks() {
    LeakDetection.install(); // before any buffer: the certificates' too
  }

  @AfterEach
  void closeAndCheck() {
    clients.forEach(NettyClient::close);
    LeakDetection.assertNoLeaks();
  }

  @Test
  void membersOnTwoThreadsGetTheirRoomsEventsInOrderAmongTheRest() {
    try (ZocketServer s =
        Servers.standard()
            .handle(Bursts.class, BurstsHandler::new)
            .ioThreads(2)
            .compression(true)
            .start()) {
      String ws = "ws://127.0.0.1:" + s.port() + "/?user-name=";
      NettyClient.Options deflate = new NettyClient.Options().compression();
      NettyClient.Options plain = new NettyClient.Options();
      // Connections go to the two I/O threads in turn: each room has members on both.
      NettyClient sender = member(ws + "S", plain, "a", "b");
      NettyClient a1 = member(ws + "A1", plain, "a");
      NettyClient a2 = member(ws + "A2", deflate, "a");
      NettyClient b1 = member(ws + "B1", plain, "b");
      NettyClient a3 = member(ws + "A3", deflate, "a");
      NettyClient b2 = member(ws + "B2", deflate, "b");
      assertBurst(s, 600, sender, List.of(a1, a2, a3), List.of(b1, b2));
    }
  }

  @Test
  void throughTls() throws Exception {
    Certificates certificates = Certificates.create(dir);
    SslContext trusting =
        SslContextBuilder.forClient().trustManager(certificates.certificatePem().toFile()).build();
    try (ZocketServer s =
        Servers.standard()
            .handle(Bursts.class, BurstsHandler::new)
            .tls(certificates.certificatePem(), certificates.privateKeyPem())
            .start()) {
      String wss = "wss://127.0.0.1:" + s.port() + "/?user-name=";
      NettyClient.Options tls = new NettyClient.Options().ssl(trusting);
      NettyClient sender = member(wss + "S", tls, "a", "b");
      NettyClient a1 = member(wss + "A1", tls, "a");
      NettyClient b1 = member(wss + "B1", tls, "b");
      assertBurst(s, 600, sender, List.of(a1), List.of(b1));
    }
  }

  @Test
  void aMemberGetsWhatWasSentAfterItJoinedOrBeforeItLeftInTheSamePass() {
    try (ZocketServer s =
        Servers.standard().handle(Bursts.class, BurstsHandler::new).ioThreads(2).start()) {
      String ws = "ws://127.0.0.1:" + s.port() + "/?user-name=";
      NettyClient.Options plain = new NettyClient.Options();
      NettyClient stays = member(ws + "M", plain, "r");
      NettyClient other = member(ws + "O", plain, "r");
      NettyClient joiner = member(ws + "J", plain);
      joiner.send("{\"type\":\"b.joinBetween\",\"payload\":\"r\"}");
      assertThat(List.of(joiner.next(), call(joiner, 1))).containsExactly(text("after"), seq(1));
      s.emit(Events.class).toRoom("r").onText("end");
      for (NettyClient c : List.of(stays, other)) {
        assertThat(List.of(c.next(), c.next(), c.next()))
            .containsExactly(text("before"), text("after"), text("end"));
      }
      assertThat(joiner.next()).isEqualTo(text("end"));

      joiner.send("{\"type\":\"b.leaveBetween\",\"payload\":\"r\"}");
      assertThat(List.of(joiner.next(), call(joiner, 2))).containsExactly(text("before"), seq(2));
      s.emit(Events.class).toRoom("r").onText("end");
      for (NettyClient c : List.of(stays, other)) {
        assertThat(List.of(c.next(), c.next(), c.next()))
            .containsExactly(text("before"), text("after"), text("end"));
      }
      // Neither "after" nor "end" came before this answer, sent once "end" had gone to the room.
      assertThat(call(joiner, 3)).isEqualTo(seq(3));
    }
  }

  /** Sends a call to {@code t.seq} and returns the next message (not necessarily its answer). */
  private static String call(NettyClient c, int n) {
    c.send("{\"type\":\"t.seq\",\"payload\":" + n + ",\"rpcId\":\"s" + n + "\"}");
    return c.next();
  }

  private static String seq(int n) {
    return "{\"type\":\"__rpc_res\",\"payload\":\"seq " + n + "\",\"rpcId\":\"s" + n + "\"}";
  }

  /**
   * Has the sender send a burst of {@code n}, then checks what each member got: every event of its
   * rooms (and, for the sender, to itself) in order, the sender's reply behind them, and then an
   * end marker sent to both rooms once the reply came, so nothing else came in between.
   */
  private static void assertBurst(
      ZocketServer s, int n, NettyClient sender, List<NettyClient> inA, List<NettyClient> inB) {
    sender.send("{\"type\":\"b.burst\",\"payload\":" + n + ",\"rpcId\":\"burst\"}");
    List<String> toSender = new ArrayList<>();
    List<String> toA = new ArrayList<>();
    List<String> toB = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String event = text(text(i));
      switch (i % 6) {
        case 0, 1, 4 -> {
          toSender.add(event);
          toA.add(event);
        }
        case 2 -> {
          toSender.add(event);
          toB.add(event);
        }
        case 3 -> toSender.add(event);
        default -> toA.add(event);
      }
    }
    toSender.add("{\"type\":\"__rpc_res\",\"payload\":" + n + ",\"rpcId\":\"burst\"}");
    List<String> got = new ArrayList<>();
    for (int i = 0; i < toSender.size(); i++) {
      got.add(sender.next());
    }
    assertThat(got).isEqualTo(toSender);
    s.emit(Events.class).toRoom("a", "b").onText("end");
    assertThat(sender.next()).isEqualTo(text("end"));
    inA.forEach(c -> assertReceived(c, toA));
    inB.forEach(c -> assertReceived(c, toB));
  }

  private static void assertReceived(NettyClient c, List<String> expected) {
    List<String> got = new ArrayList<>();
    for (int i = 0; i <= expected.size(); i++) {
      got.add(c.next());
    }
    List<String> withEnd = new ArrayList<>(expected);
    withEnd.add(text("end"));
    assertThat(got).isEqualTo(withEnd);
  }

  private NettyClient member(String uri, NettyClient.Options options, String... rooms) {
    NettyClient c = NettyClient.connect(URI.create(uri), options);
    clients.add(c);
    for (String room : rooms) {
      c.send("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
    }
    c.send("{\"type\":\"t.rooms\",\"rpcId\":\"joined\"}");
    assertThat(c.next()).startsWith("{\"type\":\"__rpc_res\"");
    return c;
  }

  /** The text of event {@code i} of a burst. */
  private static String text(int i) {
    return i % 24 == 4 ? "e" + i + LARGE : "e" + i;
  }

  private static String text(String payload) {
    return "{\"type\":\"ev.onText\",\"payload\":\"" + payload + "\"}";
  }
}
