package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The frames one connection gets during its I/O thread's pass, written when the pass ends in as few
 * pieces as the connection's transport allows:
 *
 * <ul>
 *   <li>To its socket in one gathering system call, past Netty's outbound buffer, the way
 *       uWebSockets writes: no buffer entry, promise or pending-bytes count per frame, no pipeline.
 *       Only for a native (epoll) socket with nothing between the WebSocket encoder and it (see
 *       {@link FrameWriter}), and only while Netty's outbound buffer is empty: what the socket does
 *       not take at once, and everything while Netty's buffer holds anything, goes through Netty's
 *       buffer as before, in order, so backpressure, writability and the slow-consumer rules see it
 *       as always.
 *   <li>Through TLS ({@link #throughTls}): copied into buffers of one TLS record each ({@link
 *       #RECORD_BYTES}), each written to the TLS handler once, instead of one pipeline write and
 *       one entry of the handler's queue per frame, which the handler would copy into records
 *       itself. A frame of a record or more, and the only frame of a pass (most replies), is
 *       written as it is: the handler encrypts straight from it, so copying it would only add a
 *       copy. What the handler holds counts towards Netty's writability, as any write.
 *   <li>To any other socket (io_uring, NIO) with nothing between the WebSocket encoder and it:
 *       copied into buffers of the same size, each one entry of Netty's outbound buffer, instead of
 *       one entry per frame. Netty's io_uring transport removes what a write took entry by entry,
 *       and with an entry per frame of a fan-out that cost it ten times epoll's time per delivery.
 * </ul>
 *
 * <p>Frames are kept unmodified (their indexes are never moved here: one buffer is shared by every
 * recipient of an event), each with one reference owned by this object until it is written, copied,
 * handed to Netty, or released.
 *
 * <p>An instance is lent to a connection by its I/O thread ({@link #lend}) for one pass, from its
 * first write of the pass until the end-of-pass flush leaves it empty ({@link #giveBack}), so an
 * idle connection holds none; the thread keeps some for the next passes. Confined to the I/O
 * thread.
 */
final class SocketWrites {
  /**
   * At most this many frames wait for the end of the pass, as many as one gathering write takes;
   * one more writes them at once. Netty does not count them towards the connection's writability,
   * so they (and their bytes, see {@link #add}) are bounded here.
   */
  private static final int MAX_FRAMES =
      1024; // IOV_MAX on Linux; a constant, read without native code

  /**
   * The size of the buffers frames are copied into: the plaintext of one TLS record, the most
   * Netty's TLS handler encrypts at once ({@code SslHandler}'s default wrap size, TLS's maximum
   * record).
   */
  static final int RECORD_BYTES = 16 * 1024;

  /** The first array of frames, grown as a pass brings more: most connections get a few. */
  private static final int FIRST_CAPACITY = 8;

  /** The largest array of frames an instance keeps once given back. */
  private static final int KEPT_CAPACITY = 64;

  /**
   * The most instances an I/O thread keeps for its next passes (as many as Netty's object pools
   * keep per thread): a pass that writes to more connections, a fan-out to a larger room, makes the
   * others anew (about 90 bytes each). After each pass the thread keeps no more than that pass
   * lent, or {@link #MIN_SPARE} (see {@link #trimSpare}), and once it has gone a while without a
   * pass, no more than {@link #MIN_SPARE} ({@link Flusher}), so a burst of writes to many
   * connections (thousands joining at once) does not stay on the heap once it is over.
   */
  private static final int MAX_SPARE = 4096;

  /** What an I/O thread keeps after any pass, however few connections it wrote to. */
  static final int MIN_SPARE = 256;

  /** Per I/O thread: the instances not lent. */
  private static final FastThreadLocal<ArrayDeque<SocketWrites>> SPARE =
      new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<SocketWrites> initialValue() {
          return new ArrayDeque<>();
        }
      };

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

  /**
   * The connection it is lent to, and its socket, or the context that writes the buffers frames are
   * copied into (the WebSocket encoder's: its writes reach the TLS handler, or Netty's outbound
   * buffer); its high water mark. Null while not lent.
   */
  private Channel channel;

  private FileDescriptor socket;
  private ChannelHandlerContext copies;
  private int maxBytes;

  /** The frames kept, in order. */
  private ByteBuf[] frames = new ByteBuf[FIRST_CAPACITY];

  private int count;
  private long bytes;

  private SocketWrites() {}

  /**
   * Whether a channel's socket can be written this way: an epoll socket, which is non-blocking, so
   * a write takes what the socket has room for and returns. Not io_uring's: its sockets are
   * blocking (io_uring waits for them), and a write to a client that stopped reading would hold the
   * I/O thread, and every connection on it, until the client reads.
   */
  static boolean fits(Channel channel) {
    return channel instanceof EpollSocketChannel;
  }

  /**
   * Whether what {@code encoder}, the WebSocket encoder's context, writes reaches the TLS handler
   * next: the connection has TLS, and the HTTP codec, which the upgrade removes once its response
   * is written, is gone.
   */
  static boolean throughTls(ChannelHandlerContext encoder) {
    ChannelPipeline p = encoder.pipeline();
    return p.firstContext().handler() instanceof SslHandler && p.get(HttpServerCodec.class) == null;
  }

  /**
   * Lends an instance to a connection that {@link #fits}, for this pass, or, with {@code copies},
   * to one whose frames are copied into buffers written from that context (through TLS, or to
   * another socket); on its I/O thread.
   */
  static SocketWrites lend(Channel channel, ChannelHandlerContext copies) {
    SocketWrites s = SPARE.get().pollLast();
    if (s == null) {
      s = new SocketWrites();
    }
    s.channel = channel;
    s.copies = copies;
    s.socket = copies == null ? ((UnixChannel) channel).fd() : null;
    s.maxBytes = channel.config().getWriteBufferHighWaterMark();
    return s;
  }

  /**
   * At the end of an I/O thread's pass ({@link Flusher}), which wrote to {@code lent} connections:
   * keeps at most that many instances, or {@link #MIN_SPARE}, for the next passes.
   */
  static void trimSpare(int lent) {
    ArrayDeque<SocketWrites> spare = SPARE.get();
    for (int keep = Math.max(lent, MIN_SPARE); spare.size() > keep; ) {
      spare.pollLast();
    }
  }

  /** How many instances this I/O thread keeps for its next passes. */
  static int spareCount() {
    return SPARE.get().size();
  }

  /**
   * Gives the instance back to the I/O thread once it is empty (its frames written, handed over or
   * released) and none of its methods is under way; the connection no longer uses it.
   */
  void giveBack() {
    channel = null;
    socket = null;
    copies = null;
    if (frames.length > KEPT_CAPACITY) {
      frames = new ByteBuf[FIRST_CAPACITY];
    }
    ArrayDeque<SocketWrites> spare = SPARE.get();
    if (spare.size() < MAX_SPARE) {
      spare.addLast(this);
    }
  }

  /**
   * Whether a frame written now may wait here. When frames are copied, any frame (it is written
   * behind everything written before). To the socket: frames already do, or Netty's outbound buffer
   * is empty (nothing it holds may be overtaken); direct buffers only (the socket reads their
   * memory).
   */
  boolean accepts(ByteBuf frame) {
    if (copies != null) {
      return true;
    }
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
    if (count == frames.length) {
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
   * drain, or meets the same error and closes the channel). When frames are copied, writes them in
   * buffers ({@link #writeRecords}) and flushes.
   */
  void flush() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    if (out == null) { // closing: the socket may be gone, and its descriptor taken by another one
      release();
      return;
    }
    if (copies != null) {
      writeRecords();
      copies.flush();
      return;
    }
    if (count > 0) {
      int done = 0;
      long written = out.totalPendingWriteBytes() == 0 && channel.isActive() ? write() : 0;
      PassReleases releases = PassReleases.get();
      while (done < count && written >= frames[done].readableBytes()) {
        written -= frames[done].readableBytes();
        releases.release(frames[done], done); // given back with the other sockets' at the pass end
        frames[done++] = null;
      }
      handOver(done, (int) written);
    }
    if (out.totalPendingWriteBytes() != 0) {
      channel.unsafe().flush();
    }
  }

  /** Whether no frame is kept. */
  boolean isEmpty() {
    return count == 0;
  }

  /** The bytes of the frames kept for the end of the pass. */
  long bytes() {
    return bytes;
  }

  /**
   * Hands the frames kept to Netty's outbound buffer (through TLS, to the TLS handler; copied when
   * they are), unflushed, so that what is written next through the pipeline (a close frame) follows
   * them.
   */
  void handOver() {
    if (copies != null) {
      writeRecords();
    } else {
      handOver(0, 0);
    }
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

  /**
   * Copies the frames kept, in order, into buffers of {@link #RECORD_BYTES} (the last one smaller)
   * and writes each from {@link #copies} (to the TLS handler, or Netty's outbound buffer),
   * unflushed; a frame of a buffer or more, or the only frame of the pass (a reply, most often),
   * goes as it is, after the buffer begun before it. The copied frames' references are given back
   * when the pass ends ({@link PassReleases}).
   */
  private void writeRecords() {
    PassReleases releases = PassReleases.get();
    long left = bytes;
    ByteBuf record = null;
    for (int i = 0; i < count; i++) {
      ByteBuf frame = frames[i];
      frames[i] = null;
      int n = frame.readableBytes();
      left -= n;
      if (n >= RECORD_BYTES || count == 1) {
        if (record != null) {
          copies.write(record, copies.voidPromise());
          record = null;
        }
        // A duplicate, whose reader index Netty moves; releasing it releases this reference.
        copies.write(frame.duplicate(), copies.voidPromise());
        continue;
      }
      for (int from = frame.readerIndex(); n > 0; ) {
        if (record == null) {
          int size = (int) Math.min(RECORD_BYTES, n + Math.max(left, 0));
          record = copies.alloc().directBuffer(size, size);
        }
        int k = Math.min(n, record.writableBytes());
        record.writeBytes(frame, from, k);
        from += k;
        n -= k;
        if (!record.isWritable()) {
          copies.write(record, copies.voidPromise());
          record = null;
        }
      }
      releases.release(frame, i);
    }
    if (record != null) {
      copies.write(record, copies.voidPromise());
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
