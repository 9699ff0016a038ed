package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 connect/join/leave/disconnect cycles, half of them ending with a WebSocket close and half
 * with a dropped TCP connection (and no leave), must leave nothing behind and leak no buffer.
 */
@Timeout(120)
class SoakTest {
  private static final int CYCLES = 10_000;
  private static final int WORKERS = 4;

  @Test
  void connectJoinLeaveDisconnectLeavesNothingBehind() throws Exception {
    AtomicInteger disconnects = new AtomicInteger();
    try (ZocketServer server =
        Servers.standard().onDisconnect(ctx -> disconnects.incrementAndGet()).start()) {
      ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          int worker = w;
          done.add(
              workers.submit(
                  () -> {
                    for (int i = worker; i < CYCLES; i += WORKERS) {
                      cycle(server.port(), i);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get(100, TimeUnit.SECONDS);
        }
      } finally {
        workers.shutdownNow();
      }
      Await.until(
          "every onDisconnect, and no connection left",
          () -> disconnects.get() >= CYCLES && server.connectionCount() == 0);
      assertThat(disconnects.get()).isEqualTo(CYCLES);
      assertThat(server.connectionCount()).isZero();
      assertThat(server.roomCount()).isZero();
    }
    LeakDetection.assertNoLeaks();
  }

  private static void cycle(int port, int i) throws Exception {
    String room = "room-" + (i % 16);
    try (RawClient c = RawClient.connect(port, "/?user-name=u" + i)) {
      c.sendText("{\"type\":\"t.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
      c.sendText("{\"type\":\"t.rooms\",\"rpcId\":\"a\"}");
      assertThat(c.readSkippingPings().text())
          .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[\"" + room + "\"],\"rpcId\":\"a\"}");
      if (i % 2 == 0) {
        c.sendText("{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"" + room + "\"}}");
        c.send(RawClient.CLOSE, true, new byte[] {0x03, (byte) 0xe8}); // 1000
        RawClient.Frame close = c.readSkippingPings();
        assertThat(close.opcode()).isEqualTo(RawClient.CLOSE);
      }
    }
  }
}
