package dev.zocket.bench.memory;

import dev.zocket.Context;
import dev.zocket.NonBlocking;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.RawClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the heap a room membership costs a server: {@code --clients} connections each join
 * {@code --rooms} rooms whose ids have {@code --id-length} characters, every membership in a room
 * of its own ({@code --unique}, the attacker's case) or all connections in the same rooms ({@code
 * --shared}). With {@code --fanout}, an event then goes to every room, which makes each room keep
 * its members grouped for the next fan-outs, and every client reads its events. The heap is read
 * after full collections before and after the joins (the connections already open), so the clients'
 * own objects, which joining does not change, cancel out. Prints one JSON line. Only 127.0.0.1 is
 * used; the counts bound the run.
 *
 * <pre>java -Xmx2g -cp benchmarks.jar dev.zocket.bench.memory.RoomMemory --clients 1000 --rooms 100
 *     --id-length 64 --unique [--fanout]</pre>
 */
public final class RoomMemory {
  private RoomMemory() {}

  /** The contract: join a room, and count one's rooms (a round trip after the joins). */
  public interface Joins {
    /** Joins a room. */
    @NonBlocking
    void join(String room);

    /** The rooms of the caller. */
    @NonBlocking
    int count();
  }

  /** The event of {@code --fanout}. */
  public interface Pings {
    /** A room's event. */
    void onPing();
  }

  /**
   * Runs the measurement.
   *
   * @param args {@code --clients N --rooms R --id-length L --unique|--shared [--fanout]}
   */
  public static void main(String[] args) throws Exception {
    int clients = 1000;
    int rooms = 100;
    int idLength = 64;
    boolean unique = true;
    boolean fanout = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--rooms" -> rooms = Integer.parseInt(args[++i]);
        case "--id-length" -> idLength = Integer.parseInt(args[++i]);
        case "--unique" -> unique = true;
        case "--shared" -> unique = false;
        case "--fanout" -> fanout = true;
        default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
      }
    }
    int roomsPerClient = rooms;
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(
                Joins.class,
                (Context<Void> ctx) ->
                    new Joins() {
                      @Override
                      public void join(String room) {
                        ctx.rooms().join(room);
                      }

                      @Override
                      public int count() {
                        return ctx.rooms().current().size();
                      }
                    })
            .host("127.0.0.1")
            .port(0)
            .maxConnections(clients + 16)
            .maxRoomsPerConnection(roomsPerClient)
            .maxRoomIdLength(Math.max(idLength, 16))
            .start()) {
      List<RawClient> open = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        open.add(RawClient.connect(server.port(), "/"));
      }
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long before = usedAfterGc(memory);
      for (int c = 0; c < clients; c++) {
        RawClient client = open.get(c);
        for (int r = 0; r < roomsPerClient; r++) {
          String id = pad((unique ? "room-" + c + "-" : "room-") + r, idLength);
          client.sendText("{\"type\":\"join\",\"payload\":\"" + id + "\"}");
        }
        client.sendText("{\"type\":\"count\",\"rpcId\":\"c\"}");
      }
      for (RawClient client : open) {
        String reply = client.readSkippingPings().text();
        if (!reply.contains("\"payload\":" + roomsPerClient)) {
          throw new IllegalStateException("Not every join was taken: " + reply);
        }
      }
      if (fanout) {
        for (int c = 0; c < (unique ? clients : 1); c++) {
          for (int r = 0; r < roomsPerClient; r++) {
            String id = pad((unique ? "room-" + c + "-" : "room-") + r, idLength);
            server.emit(Pings.class).toRoom(id).onPing();
          }
        }
        for (RawClient client : open) {
          for (int r = 0; r < roomsPerClient; r++) {
            client.readSkippingPings();
          }
        }
      }
      long after = usedAfterGc(memory);
      long memberships = (long) clients * roomsPerClient;
      System.out.printf(
          Locale.ROOT,
          "{\"clients\":%d,\"roomsPerClient\":%d,\"idLength\":%d,\"unique\":%b,\"fanout\":%b,"
              + "\"rooms\":%d,\"heapGrowth\":%d,\"bytesPerMembership\":%d}%n",
          clients,
          roomsPerClient,
          idLength,
          unique,
          fanout,
          server.roomCount(),
          after - before,
          (after - before) / memberships);
      for (RawClient client : open) {
        client.close();
      }
    }
  }

  private static String pad(String id, int length) {
    StringBuilder sb = new StringBuilder(id);
    while (sb.length() < length) {
      sb.append('.');
    }
    return sb.toString();
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
