package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The references the sockets of a pass took are given back at its end, each frame's all at once,
 * whatever order the connections had them in, and never more than were taken.
 */
class PassReleasesTest {
  @Test
  void everyReferenceIsGivenBackAtTheEndOfThePassAndNotBefore() {
    PassReleases releases = PassReleases.get();
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ByteBuf f = Unpooled.directBuffer(8).writeLong(i);
      f.retain(100); // 101 references: 100 connections' and the test's
      frames.add(f);
    }
    for (int c = 0; c < 100; c++) {
      // Most connections had the frames in the same order; some in another, some only a few.
      for (int p = 0; p < 5; p++) {
        int i = c % 7 == 0 ? 4 - p : p;
        releases.release(frames.get(i), p);
      }
    }
    for (ByteBuf f : frames) {
      assertThat(f.refCnt()).as("held until the pass ends").isEqualTo(101);
    }
    releases.releaseAll();
    for (ByteBuf f : frames) {
      assertThat(f.refCnt()).isEqualTo(1);
      f.release();
    }
    releases.releaseAll(); // nothing kept: gives back nothing more
  }

  @Test
  void pastTheBoundFramesAreReleasedAtOnce() {
    PassReleases releases = PassReleases.get();
    List<ByteBuf> frames = new ArrayList<>();
    for (int i = 0; i < PassReleases.MAX_FRAMES + 10; i++) {
      ByteBuf f = Unpooled.directBuffer(1).writeByte(i).retain();
      frames.add(f);
      releases.release(f, 0);
    }
    // The first MAX_FRAMES wait; the ten past the bound were released at once.
    assertThat(frames.get(0).refCnt()).isEqualTo(2);
    assertThat(frames.get(PassReleases.MAX_FRAMES).refCnt()).isEqualTo(1);
    releases.releaseAll();
    for (ByteBuf f : frames) {
      assertThat(f.refCnt()).isEqualTo(1);
      f.release();
    }
  }
}
