package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves that the leak checks of the other tests would see a leak. */
@Timeout(60)
class LeakDetectionTest {
  private static final String HINT = "leaked on purpose by LeakDetectionTest";

  @Test
  void recordsALeakedBuffer() {
    LeakDetection.install();
    leakOne();
    List<String> found =
        Await.value(
            "the report of the leaked buffer",
            () -> {
              LeakDetection.collect();
              List<String> reports = LeakDetection.drain();
              return reports.isEmpty() ? null : reports;
            });
    assertThat(found).singleElement().asString().startsWith("ByteBuf leaked").contains(HINT);
  }

  private static void leakOne() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeInt(42).touch(HINT); // never released
  }
}
