package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.LeakDetection;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves that the leak checks of the other tests would see a leak. */
@Timeout(60)
class LeakDetectionTest {
  @Test
  void recordsALeakedBuffer() {
    LeakDetection.install();
    leakOne();
    List<String> found = new ArrayList<>();
    for (int i = 0; i < 50 && found.isEmpty(); i++) {
      LeakDetection.collect();
      found.addAll(LeakDetection.drain());
    }
    assertThat(found).isNotEmpty();
    assertThat(found.get(0)).startsWith("ByteBuf leaked");
  }

  private static void leakOne() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeInt(42); // never released, on purpose
  }
}
