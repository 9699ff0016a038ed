package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator.ExtendedHandle;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ReceiveSizing} against Netty's {@link AdaptiveRecvByteBufAllocator} with its defaults and
 * one message per read (the allocator every socket had before): the same guess before every read
 * and the same verdict on reading on, through read loops of every shape.
 */
class ReceiveSizingTest {
  /** Runs the same read loops through both handles and returns what they told, step by step. */
  private static List<String> run(ExtendedHandle handle, ChannelConfig config, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> told = new ArrayList<>();
    for (int loop = 0; loop < 2_000; loop++) {
      config.setAutoRead(random.nextInt(10) != 0);
      handle.reset(config);
      int reads = 1 + random.nextInt(3);
      for (int r = 0; r < reads; r++) {
        int asked = handle.guess();
        handle.attemptedBytesRead(asked);
        int got =
            switch (random.nextInt(6)) {
              case 0 -> asked; // filled what it asked for
              case 1 -> 0; // nothing there
              case 2 -> -1; // end of stream
              case 3 -> random.nextInt(1, 64);
              case 4 -> random.nextInt(1, Math.max(2, asked));
              default -> random.nextInt(1, 1 << 17) % (asked + 1);
            };
        handle.lastBytesRead(got);
        if (got > 0) {
          handle.incMessagesRead(1);
        }
        told.add(
            asked
                + "/"
                + handle.lastBytesRead()
                + "/"
                + handle.attemptedBytesRead()
                + "/"
                + handle.continueReading()
                + "/"
                + handle.continueReading(() -> true)
                + "/"
                + handle.continueReading(() -> false));
      }
      handle.readComplete();
      told.add("next " + handle.guess());
    }
    return told;
  }

  @Test
  void sizesAndVerdictsAreNettysAdaptiveOnesReadByRead() {
    for (long seed = 1; seed <= 20; seed++) {
      EmbeddedChannel ours = new EmbeddedChannel();
      EmbeddedChannel netty = new EmbeddedChannel();
      List<String> expected =
          run(
              (ExtendedHandle) new AdaptiveRecvByteBufAllocator().newHandle(),
              netty.config(),
              seed);
      List<String> actual = run(ReceiveSizing.INSTANCE.newHandle(), ours.config(), seed);
      assertThat(actual).as("seed %d", seed).containsExactlyElementsOf(expected);
      ours.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }

  @Test
  void growsToTheLargestSizeAndShrinksToTheSmallest() {
    ExtendedHandle handle = ReceiveSizing.INSTANCE.newHandle();
    ChannelConfig config = new EmbeddedChannel().config();
    assertThat(handle.guess()).isEqualTo(2048);
    for (int i = 0; i < 20; i++) {
      handle.reset(config);
      handle.attemptedBytesRead(handle.guess());
      handle.lastBytesRead(handle.guess());
      handle.incMessagesRead(1);
      handle.readComplete();
    }
    assertThat(handle.guess()).isEqualTo(65536);
    for (int i = 0; i < 200; i++) {
      handle.reset(config);
      handle.attemptedBytesRead(handle.guess());
      handle.lastBytesRead(1);
      handle.incMessagesRead(1);
      handle.readComplete();
    }
    assertThat(handle.guess()).isEqualTo(64);
  }
}
