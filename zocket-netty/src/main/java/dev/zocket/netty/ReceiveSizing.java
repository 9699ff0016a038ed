package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How many bytes each read of a socket asks for: the steps of Netty's {@link
 * AdaptiveRecvByteBufAllocator} with its defaults (2,048 bytes at first; one step down after two
 * reads in a row that would have fitted the step below, but not below 64; four steps up at once
 * when a read fills what it asked for, up to 65,536), and one read per readiness of the socket, as
 * with the allocator Zocket gave every socket before.
 *
 * <p>Its own handle, because each socket keeps its handle as long as it is open: Netty's adaptive
 * one is three objects (the handle, its size calculator and a supplier of its "maybe more data"
 * verdict, 112 bytes of heap), this one a single object of 32 bytes. {@code ReceiveSizingTest}
 * holds its sizes and verdicts to Netty's handle's, read by read.
 *
 * <p>Threading: one shared instance; each handle belongs to one channel and is used on its I/O
 * thread only.
 */
final class ReceiveSizing implements RecvByteBufAllocator {
  /** The one instance, given to every accepted socket. */
  static final ReceiveSizing INSTANCE = new ReceiveSizing();

  /** Netty's size table up to the largest size used: 16 to 496 by 16, then 512 to 65,536 by x2. */
  private static final int[] SIZES = sizes();

  private static final int MIN_INDEX = indexOf(64);
  private static final int INITIAL_INDEX = indexOf(2048);
  private static final int MAX_INDEX = SIZES.length - 1;

  /** Steps up after a read that filled its buffer, as Netty's. */
  private static final int STEPS_UP = 4;

  private ReceiveSizing() {}

  @Override
  public ExtendedHandle newHandle() {
    return new Handle();
  }

  private static int[] sizes() {
    int[] sizes = new int[31 + 8];
    int i = 0;
    for (int size = 16; size < 512; size += 16) {
      sizes[i++] = size;
    }
    for (int size = 512; size <= 65536; size <<= 1) {
      sizes[i++] = size;
    }
    return sizes;
  }

  private static int indexOf(int size) {
    for (int i = 0; i < SIZES.length; i++) {
      if (SIZES[i] == size) {
        return i;
      }
    }
    throw new IllegalArgumentException("not in the size table: " + size);
  }

  /** One socket's sizing and the counts of its current read. */
  static final class Handle implements ExtendedHandle {
    /** The channel's configuration, for auto-read; set by each {@link #reset}. */
    private ChannelConfig config;

    private int attemptedBytes;
    private int lastBytes;
    private int totalBytes;

    /** Where in {@link #SIZES} the next guess is. */
    private byte index = (byte) INITIAL_INDEX;

    /** A read would have fitted the step below: the next such read steps down. */
    private boolean decreaseNow;

    /** A message (one buffer) was read since the last {@link #reset}: the one read allowed. */
    private boolean messageRead;

    private Handle() {}

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return alloc.ioBuffer(guess());
    }

    @Override
    public int guess() {
      return SIZES[index];
    }

    @Override
    public void reset(ChannelConfig config) {
      this.config = config;
      messageRead = false;
      totalBytes = 0;
    }

    @Override
    public void incMessagesRead(int numMessages) {
      if (numMessages > 0) {
        messageRead = true;
      }
    }

    @Override
    public void lastBytesRead(int bytes) {
      if (bytes == attemptedBytes) {
        record(bytes); // it filled what it asked for: see at once whether to grow
      }
      lastBytes = bytes;
      if (bytes > 0) {
        totalBytes += bytes;
      }
    }

    @Override
    public int lastBytesRead() {
      return lastBytes;
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      attemptedBytes = bytes;
    }

    @Override
    public int attemptedBytesRead() {
      return attemptedBytes;
    }

    @Override
    public boolean continueReading() {
      return config.isAutoRead()
          && lastBytes > 0
          && attemptedBytes == lastBytes
          && !messageRead
          && totalBytes > 0;
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      return config.isAutoRead() && maybeMoreDataSupplier.get() && !messageRead && totalBytes > 0;
    }

    @Override
    public void readComplete() {
      record(totalBytes < 0 ? Integer.MAX_VALUE : totalBytes);
    }

    private void record(int bytes) {
      if (bytes <= SIZES[Math.max(0, index - 1)]) {
        if (decreaseNow) {
          index = (byte) Math.max(index - 1, MIN_INDEX);
          decreaseNow = false;
        } else {
          decreaseNow = true;
        }
      } else if (bytes >= SIZES[index]) {
        index = (byte) Math.min(index + STEPS_UP, MAX_INDEX);
        decreaseNow = false;
      }
    }
  }
}
