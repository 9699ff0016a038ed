package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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

  @Test
  void closeReturnsThoughAnIoThreadNeverDoes() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ZocketServer s =
        Servers.standard()
            .ioThreads(1) // the only I/O thread, which also accepts the sockets
            .gracePeriod(Duration.ofMillis(200))
            .shutdownTimeout(Duration.ofSeconds(1))
            .authenticate(
                request -> {
                  if (request.uri().contains("block")) {
                    blocked.countDown();
                    awaitIgnoringInterrupts(release);
                  }
                })
            .start();
    JdkClient open = JdkClient.connect(s.port(), "?user-name=A");
    open.sync();
    CompletableFuture<RawClient.HttpReply> upgrade =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return RawClient.upgrade(s.port(), "/?block=1", Map.of());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      assertThat(blocked.await(10, TimeUnit.SECONDS)).as("the I/O thread is blocked").isTrue();

      // Nothing that needs the I/O thread happens; close() gives up on it after its timeouts.
      CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
      closing.get(30, TimeUnit.SECONDS);
      assertThat(closing).isCompleted();
    } finally {
      release.countDown();
    }
    upgrade.handle((reply, failure) -> null).get(30, TimeUnit.SECONDS);
    open.close();
  }

  /** Waits for the latch, as a thread that ignores interrupts would. */
  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // keep blocking: the point is a thread that does not return
      }
    }
  }
}
