package dev.zocket.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What building one outgoing frame costs in the buffer: allocate a direct buffer, copy an encoded
 * text into it (as Jackson's generator hands it over, from its own array), release it; with Netty's
 * default (adaptive) allocator and with its pooled allocator.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameBufferBenchmark {
  /** The allocator: Netty's default ({@code adaptive}) or {@code pooled}. */
  @Param({"adaptive", "pooled"})
  public String allocator;

  /** Bytes of encoded text. */
  @Param({"64", "160"})
  public int size;

  private ByteBufAllocator alloc;
  private byte[] text;

  /** Picks the allocator and makes the text. */
  @Setup
  public void setup() {
    alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT;
    text = new byte[size];
    Arrays.fill(text, (byte) 'x');
  }

  /** Allocate, leave room for a header, copy the text, release. */
  @Benchmark
  public int allocateCopyRelease() {
    ByteBuf buf = alloc.directBuffer(256);
    buf.writerIndex(10);
    buf.writeBytes(text, 0, text.length);
    int n = buf.readableBytes();
    buf.release();
    return n;
  }
}
