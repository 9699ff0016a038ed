package dev.zocket.bench.memory;

import dev.zocket.Context;
import dev.zocket.NonBlocking;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.RawClient;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures what a backlog costs a server: one client joins a room and stops reading (a 4 KiB
 * receive buffer), then {@code --events} events of {@code --content} characters are sent to the
 * room. The heap (after full collections) and Netty's direct memory are read before and after; with
 * the backlog limits set out of the way, every event waits in the backlog, so the growth per event
 * is the cost of a waiting frame. Prints one JSON line. Only 127.0.0.1 is used.
 *
 * <pre>java -Xmx2g -cp benchmarks.jar dev.zocket.bench.memory.BacklogMemory --events 50000
 *     --content 1000</pre>
 */
public final class BacklogMemory {
  private BacklogMemory() {}

  /** Joins a room. */
  public interface Joins {
    /** Joins a room; answered, so the client knows it is in. */
    @NonBlocking
    int join(String room);
  }

  /** Events of the room. */
  public interface Events {
    /** One event. */
    void onText(String text);
  }

  /**
   * Runs the measurement.
   *
   * @param args {@code --events N --content C}
   */
  public static void main(String[] args) throws Exception {
    int events = 50_000;
    int content = 1000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--content" -> content = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(
                Joins.class,
                (Context<Void> ctx) ->
                    room -> {
                      ctx.rooms().join(room);
                      return 1;
                    })
            .host("127.0.0.1")
            .port(0)
            .slowConsumerLimits(Integer.MAX_VALUE, Duration.ofHours(1))
            .maxBacklogMemory(Long.MAX_VALUE)
            .start()) {
      RawClient stalled = RawClient.connect(server.port(), "/", 4096);
      stalled.sendText("{\"type\":\"join\",\"payload\":\"r\",\"rpcId\":\"j\"}");
      stalled.readSkippingPings();
      Events room = server.emit(Events.class).toRoom("r");
      String text = "x".repeat(content);
      for (int i = 0; i < 2000; i++) { // fills the socket buffers and Netty's
        room.onText(text);
      }
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long heapBefore = usedAfterGc(memory);
      long directBefore = PlatformDependent.usedDirectMemory();
      for (int i = 0; i < events; i++) {
        room.onText(text);
      }
      awaitSteadyDirectMemory(); // the events have reached the I/O thread and its backlog
      long heap = usedAfterGc(memory) - heapBefore;
      long direct = PlatformDependent.usedDirectMemory() - directBefore;
      System.out.printf(
          Locale.ROOT,
          "{\"events\":%d,\"content\":%d,\"heapGrowth\":%d,\"heapPerEvent\":%d,"
              + "\"directGrowth\":%d,\"directPerEvent\":%d,\"closed\":%d}%n",
          events,
          content,
          heap,
          heap / events,
          direct,
          direct / events,
          server.slowConsumersClosed());
      stalled.close();
    }
  }

  /** Waits (at most 10 s) until the direct memory in use has not changed for 200 ms. */
  private static void awaitSteadyDirectMemory() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    long last = -1;
    int steady = 0;
    while (steady < 4 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = PlatformDependent.usedDirectMemory();
      steady = now == last ? steady + 1 : 0;
      last = now;
    }
  }

  /** The heap in use after three full collections. */
  static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
