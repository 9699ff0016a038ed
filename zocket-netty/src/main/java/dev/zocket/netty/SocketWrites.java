package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.Arrays;

/**
 * The frames one connection gets during its I/O thread's pass, written to its socket in one
 * gathering system call when the pass ends, past Netty's outbound buffer, the way uWebSockets
 * writes: no buffer entry, promise or pending-bytes count per frame, no pipeline. Only for a native
 * (epoll) socket with nothing between the WebSocket encoder and it (see {@link FrameWriter}), and
 * only while Netty's outbound buffer is empty: what the socket does not take at once, and
 * everything while Netty's buffer holds anything, goes through Netty's buffer as before, in order,
 * so backpressure, writability and the slow-consumer rules see it as always.
 *
 * <p>Frames are kept unmodified (their indexes are never moved here: one buffer is shared by every
 * recipient of an event), each with one reference owned by this object until it is written, handed
 * to Netty, or released. Confined to the connection's I/O thread.
 */
final class SocketWrites {
  /**
   * At most this many frames wait for the end of the pass, as many as one gathering write takes;
   * one more writes them at once. Netty does not count them towards the connection's writability,
   * so they (and their bytes, see {@link #add}) are bounded here.
   */
  private static final int MAX_FRAMES =
      1024; // IOV_MAX on Linux; a constant, read without native code

  /** The first array of frames, grown as a pass brings more: most connections get a few. */
  private static final int FIRST_CAPACITY = 8;

  /** One scatter/gather array per I/O thread, reused by every connection it writes. */
  private static final FastThreadLocal<IovArray> IOV =
      new FastThreadLocal<>() {
        @Override
        protected IovArray initialValue() {
          return new IovArray();
        }

        @Override
        protected void onRemoval(IovArray iov) {
          iov.release();
        }
      };

  private final Channel channel;
  private final FileDescriptor socket;
  private final int maxBytes;

  /** The frames kept, in order; null until the first (an idle connection does not pay for it). */
  private ByteBuf[] frames;

  private int count;
  private long bytes;

  private SocketWrites(Channel channel, FileDescriptor socket) {
    this.channel = channel;
    this.socket = socket;
    this.maxBytes = channel.config().getWriteBufferHighWaterMark();
  }

  /** For a channel on a native Unix socket (epoll); null for any other transport. */
  static SocketWrites of(Channel channel) {
    return channel instanceof UnixChannel unix ? new SocketWrites(channel, unix.fd()) : null;
  }

  /**
   * Whether a frame written now may wait here: frames already do, or Netty's outbound buffer is
   * empty (nothing it holds may be overtaken). Direct buffers only (the socket reads their memory).
   */
  boolean accepts(ByteBuf frame) {
    if (!frame.isDirect()) {
      return false;
    }
    if (count > 0) {
      return true;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out != null && out.totalPendingWriteBytes() == 0;
  }

  /**
   * Keeps a frame, whose reference passes to this object, for the end of the pass; writes
   * everything kept at once when the frames or their bytes reach the bound.
   */
  void add(ByteBuf frame) {
    if (frames == null) {
      frames = new ByteBuf[FIRST_CAPACITY];
    } else if (count == frames.length) {
      frames = Arrays.copyOf(frames, Math.min(count * 2, MAX_FRAMES));
    }
    frames[count++] = frame;
    bytes += frame.readableBytes();
    if (count == MAX_FRAMES || bytes >= maxBytes) {
      flush();
    }
  }

  /**
   * Writes the frames kept to the socket in one call while Netty's buffer is empty; what the socket
   * did not take, and everything when Netty's buffer holds something or the call failed, goes to
   * Netty's buffer. Then flushes Netty's buffer if it holds anything (Netty waits for the socket to
   * drain, or meets the same error and closes the channel).
   */
  void flush() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out == null) { // closing: the socket may be gone, and its descriptor taken by another one
      release();
      return;
    }
    if (count > 0) {
      int done = 0;
      long written = out.totalPendingWriteBytes() == 0 && channel.isActive() ? write() : 0;
      while (done < count && written >= frames[done].readableBytes()) {
        written -= frames[done].readableBytes();
        frames[done].release();
        frames[done++] = null;
      }
      handOver(done, (int) written);
    }
    if (out.totalPendingWriteBytes() != 0) {
      channel.unsafe().flush();
    }
  }

  /** The bytes of the frames kept for the end of the pass. */
  long bytes() {
    return bytes;
  }

  /**
   * Hands the frames kept to Netty's outbound buffer, unflushed, so that what is written next
   * through the pipeline (a close frame) follows them.
   */
  void handOver() {
    handOver(0, 0);
  }

  /** Releases the frames kept: the connection is gone. */
  void release() {
    for (int i = 0; i < count; i++) {
      frames[i].release();
      frames[i] = null;
    }
    count = 0;
    bytes = 0;
  }

  /** The bytes the socket took, 0 when it took none or failed. */
  private long write() {
    try {
      if (count == 1 && frames[0].hasMemoryAddress()) {
        ByteBuf f = frames[0];
        return socket.writeAddress(f.memoryAddress(), f.readerIndex(), f.writerIndex());
      }
      IovArray iov = IOV.get();
      iov.clear();
      for (int i = 0; i < count; i++) {
        ByteBuf f = frames[i];
        if (!iov.add(f, f.readerIndex(), f.readableBytes())) {
          break; // the array is full: the rest goes through Netty's buffer
        }
      }
      return socket.writevAddresses(iov.memoryAddress(0), iov.count());
    } catch (IOException e) {
      return 0; // Netty's own write meets the error, and closes the channel as it always does
    }
  }

  /** Hands frames {@code from} on to Netty, the first without its first {@code skip} bytes. */
  private void handOver(int from, int skip) {
    Channel.Unsafe unsafe = channel.unsafe();
    for (int i = from; i < count; i++) {
      // A duplicate, whose reader index Netty moves; releasing it releases this object's reference.
      ByteBuf frame = frames[i].duplicate();
      frames[i] = null;
      unsafe.write(i == from ? frame.skipBytes(skip) : frame, channel.voidPromise());
    }
    count = 0;
    bytes = 0;
  }
}
