package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.test.LeakDetection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code close()} answers the calls in flight before it closes with 1001. */
@Timeout(60)
class GracefulShutdownTest {
  @Test
  void aCallInFlightIsAnsweredBeforeTheClose() throws Exception {
    ApiHandler.log.clear();
    ZocketServer s = Servers.standard().gracePeriod(Duration.ofSeconds(5)).start();
    JdkClient busy = JdkClient.connect(s.port(), "?user-name=A");
    JdkClient idle = JdkClient.connect(s.port(), "?user-name=B");
    idle.sync();
    String id = busy.call("t.sleep", "700");
    assertThat(ApiHandler.log.poll(10, TimeUnit.SECONDS)).isEqualTo("sleep-start 700");

    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    assertThat(idle.awaitClose()).isEqualTo(1001); // at once: it owes nothing
    assertThat(closing).isNotDone();
    assertThat(busy.next())
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"slept 700\",\"rpcId\":\"" + id + "\"}");
    assertThat(busy.awaitClose()).isEqualTo(1001);
    closing.get(20, TimeUnit.SECONDS);
    assertThat(busy.messages).isEmpty();
    LeakDetection.assertNoLeaks();
  }

  @Test
  void theGracePeriodIsABound() throws Exception {
    ApiHandler.log.clear();
    ZocketServer s = Servers.standard().gracePeriod(Duration.ofMillis(100)).start();
    JdkClient busy = JdkClient.connect(s.port(), "?user-name=A");
    busy.call("t.sleep", "1500");
    assertThat(ApiHandler.log.poll(10, TimeUnit.SECONDS)).isEqualTo("sleep-start 1500");
    s.close();
    assertThat(busy.awaitClose()).isEqualTo(1001);
    assertThat(busy.messages).isEmpty(); // closed before the answer
    LeakDetection.assertNoLeaks();
  }
}
