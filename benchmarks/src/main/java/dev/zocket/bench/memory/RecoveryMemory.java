package dev.zocket.bench.memory;

import dev.zocket.Context;
import dev.zocket.NonBlocking;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.RawClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures what connection-state recovery keeps and that it lets go: {@code --sessions} clients
 * (plain sockets on 127.0.0.1) connect asking for recovery, each joins one of {@code --rooms} rooms
 * and sets an attribute, {@code --events} events are sent to the rooms, then every client drops its
 * connection with a TCP reset. The heap (after full collections) is read when idle before anything,
 * with the sessions parked, and once the window has passed and every session has ended ({@code
 * onDisconnect} counted). Prints progress on stderr and one JSON line on stdout.
 *
 * <pre>java -Xmx1g -cp benchmarks.jar dev.zocket.bench.memory.RecoveryMemory --sessions 5000
 *     --window-ms 10000</pre>
 */
public final class RecoveryMemory {
  private RecoveryMemory() {}

  /** What a client does. */
  public interface Session {
    /** Joins a room and remembers a note; answered, so the client knows it is done. */
    @NonBlocking
    int join(String room);
  }

  /** Events of the rooms. */
  public interface Events {
    /** One event. */
    void onText(String text);
  }

  /**
   * Runs the measurement.
   *
   * @param args {@code --sessions N --rooms R --events E --window-ms W --max-events M --rounds K
   *     --recovery true|false} (false: the same run on a server without recovery, for comparison)
   */
  public static void main(String[] args) throws Exception {
    int sessions = 5_000;
    int rooms = 500;
    int events = 10_000;
    long windowMillis = 10_000;
    int maxEvents = 10_000;
    int rounds = 2;
    boolean recovery = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sessions" -> sessions = Integer.parseInt(args[++i]);
        case "--rooms" -> rooms = Integer.parseInt(args[++i]);
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--window-ms" -> windowMillis = Long.parseLong(args[++i]);
        case "--max-events" -> maxEvents = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--recovery" -> recovery = Boolean.parseBoolean(args[++i]);
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    AtomicInteger ended = new AtomicInteger();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ZocketServer.Builder<?, Void> builder =
        ZocketServer.builder()
            .handle(
                Session.class,
                (Context<Void> ctx) ->
                    room -> {
                      ctx.rooms().join(room);
                      ctx.attribute("note", "joined " + room);
                      return 1;
                    })
            .onDisconnect(ctx -> ended.incrementAndGet())
            .host("127.0.0.1")
            .port(0)
            .maxConnections(sessions + 16);
    if (recovery) {
      builder.recovery(Duration.ofMillis(windowMillis), maxEvents);
    }
    try (ZocketServer server = builder.start()) {
      long idle = BacklogMemory.usedAfterGc(memory);
      progress("idle heap %d bytes", idle);
      StringBuilder json = new StringBuilder();
      for (int round = 1; round <= rounds; round++) {
        ended.set(0);
        json.append(json.length() == 0 ? "" : ",")
            .append(
                round(server, memory, ended, round, sessions, rooms, events, windowMillis, idle));
      }
      System.out.printf(
          Locale.ROOT,
          "{\"recovery\":%b,\"sessions\":%d,\"rooms\":%d,\"events\":%d,\"windowMs\":%d,\"idleHeap\":%d,"
              + "\"rounds\":[%s]}%n",
          recovery,
          sessions,
          rooms,
          events,
          windowMillis,
          idle,
          json);
    }
  }

  /** One round: connect, join, send, drop, wait out the window; returns its JSON object. */
  private static String round(
      ZocketServer server,
      MemoryMXBean memory,
      AtomicInteger ended,
      int round,
      int sessions,
      int rooms,
      int events,
      long windowMillis,
      long idle)
      throws Exception {
    progress("round %d: connecting %d clients", round, sessions);
    List<RawClient> clients = new ArrayList<>(sessions);
    for (int i = 0; i < sessions; i++) {
      RawClient c = RawClient.connect(server.port(), "/?x-zocket-recovery=1");
      c.readSkippingPings(); // __session
      c.sendText("{\"type\":\"join\",\"payload\":\"room-" + (i % rooms) + "\",\"rpcId\":\"j\"}");
      c.readSkippingPings(); // the reply
      clients.add(c);
      if ((i + 1) % 1000 == 0) {
        progress("round %d: %d clients joined", round, i + 1);
      }
    }
    long connected = BacklogMemory.usedAfterGc(memory);
    progress("round %d: connected heap %d bytes; sending %d events", round, connected, events);
    String text = "x".repeat(100);
    for (int i = 0; i < events; i++) {
      server.emit(Events.class).toRoom("room-" + (i % rooms)).onText(text);
    }
    for (RawClient c : clients) {
      c.abort();
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    long parked = BacklogMemory.usedAfterGc(memory);
    progress(
        "round %d: %d connections dropped, %d still open; heap with the sessions parked %d bytes",
        round, sessions, server.connectionCount(), parked);
    long endBy = System.nanoTime() + (windowMillis + 30_000) * 1_000_000L;
    while (ended.get() < sessions && System.nanoTime() < endBy) {
      Thread.sleep(100);
    }
    Thread.sleep(Math.min(1_000, windowMillis / 8) + 200); // one more sweep of the events
    long after = BacklogMemory.usedAfterGc(memory);
    progress(
        "round %d: %d sessions ended after the window; heap %d bytes", round, ended.get(), after);
    return String.format(
        Locale.ROOT,
        "{\"round\":%d,\"connectedHeap\":%d,\"parkedHeap\":%d,\"afterWindowHeap\":%d,"
            + "\"aboveIdleAfterWindow\":%d,\"sessionsEnded\":%d}",
        round,
        connected,
        parked,
        after,
        after - idle,
        ended.get());
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[recovery-memory] " + format + "%n", args);
  }
}
