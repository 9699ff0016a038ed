package dev.zocket.netty;

import dev.zocket.ZocketException;
import dev.zocket.internal.Outgoing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes one connection's events and replies, complete WebSocket frames, and keeps what the client
 * is not ready for.
 *
 * <p>While Netty's outbound buffer is below its high water mark, a frame is written at once. When
 * the client reads more slowly, frames wait in a backlog of this writer, in order, and are written
 * as the buffer drains; the connection is then "behind", and its reading pauses (see {@link
 * FrameHandler}), so the client cannot make the server answer more while it does not read. Replies
 * go the same way as events.
 *
 * <p>While a connection is behind, what the server holds for it counts: its backlog, and what
 * Netty's outbound buffer (and {@link SocketWrites}) hold, which a single large frame written while
 * the buffer was below its high water mark can make far larger than the mark. Netty's part is
 * counted when the connection falls behind and recounted when it writes again; it only shrinks in
 * between. Once the connection catches up it no longer counts (what Netty then holds is below the
 * high water mark, the share of every connection in the default connection limit, see {@link
 * Admission#defaultMax}); once its close has begun, what Netty still holds counts until the socket
 * has closed. A connection that holds more than {@link Hardening#maxBacklogBytes()}, that holds at
 * least the average of those behind while all together hold more than {@link
 * Hardening#maxBacklogMemory()}, or that reads nothing of what waits for {@link
 * Hardening#maxBacklogTime()} is a slow consumer: by default it is closed with 1013 (try again
 * later) and its backlog is released, so the close frame goes out next, behind what Netty holds
 * (any other close the server begins sends the backlog first); while everything held is past {@link
 * Hardening#maxBacklogMemory()}, its socket is closed at once instead, releasing what Netty holds,
 * without waiting for the client to read up to the close frame. With {@link
 * SlowConsumerPolicy#DROP}, events for a connection that is behind are dropped and counted instead.
 * Replies are never dropped while the connection is open.
 *
 * <p>Without an extension, frames are written below the WebSocket encoder, so they pass only TLS
 * (if any) on their way to the socket; with permessage-deflate, through the whole pipeline as
 * {@link TextWebSocketFrame}s. Every write is flushed once, when the I/O thread's current pass ends
 * ({@link Flusher}); on epoll without TLS or an extension, the frames of a pass go to the socket in
 * one gathering write then, past Netty's outbound buffer while it is empty; with TLS they go to the
 * TLS handler a record at a time, and on io_uring and NIO to Netty's outbound buffer in buffers of
 * the same size ({@link SocketWrites}).
 *
 * <p>Collaborators: the channel; the {@link FrameHandler}, which pauses reading while the
 * connection is behind and closes a slow consumer; and the server's {@link SlowConsumers}: the
 * policy, the limits, the server-wide {@link BacklogBudget} and the counters. A reply is encoded
 * under that budget by {@link ReplyCharge}.
 *
 * <p>Everything runs on the connection's I/O thread except {@link #reply}.
 */
final class FrameWriter {
  /**
   * What a waiting frame costs the heap beyond its buffer, so that a backlog of small frames is
   * bounded by the memory it really takes: measured with {@code BacklogMemory}, 93 bytes per frame
   * of 100-character events, 152 for 1,000, when the backlog held a duplicate of the buffer per
   * frame; since #18 it holds the shared buffer itself (a queue slot), so this errs on the safe
   * side.
   */
  static final int ENTRY_OVERHEAD = 160;

  private final Channel channel;
  private final FrameHandler frames;

  /** The slow-consumer policy and limits, and what they count. */
  private final SlowConsumers slow;

  /** The server-wide budget ({@link SlowConsumers#budget}), read on every count. */
  private final BacklogBudget budget;

  /**
   * Where complete frames enter the pipeline: the WebSocket encoder's context. Null when an
   * extension (permessage-deflate) was negotiated: its encoder must see every frame.
   */
  private final ChannelHandlerContext rawWrites;

  /**
   * Frames written at the end of the pass, without an extension: straight to the socket on a native
   * socket, or to the TLS handler in records; lent by the I/O thread from the first such write of a
   * pass until the flush that leaves it empty, null otherwise.
   */
  private SocketWrites socketWrites;

  /** Frames waiting for the client to read; created when first needed. */
  private ArrayDeque<ByteBuf> backlog;

  private long backlogBytes;

  /**
   * What Netty's outbound buffer and {@link SocketWrites} hold for this connection, as counted in
   * the server-wide budget: while behind, as a connection behind's; once the close has begun, as a
   * closing connection's (see {@link #close}); 0 otherwise. One field for both: a closed writer is
   * never behind.
   */
  private long outBytes;

  /**
   * Set while this writer hands frames to Netty: a writability change it causes is looked at once
   * the hand-over is done, not in the middle of it.
   */
  private boolean writing;

  /** Whether frames wait for the client (see {@link #behind()}), as last told to the handler. */
  private boolean behindNow;

  /**
   * For other threads ({@link #reply(Outgoing)}): what this connection holds while it is behind
   * (its backlog and Netty's part, as counted), or -1 while it is not behind.
   */
  private volatile long heldWhileBehind = -1;

  /** Closes a connection that stays behind for too long; set from falling behind until it fires. */
  private ScheduledFuture<?> behindTimer;

  /** Whether this connection is in its I/O thread's {@link Flusher}. */
  private boolean flushPending;

  /** Set once a close frame was sent: no data frame may follow it (RFC 6455 section 5.5.1). */
  private boolean closed;

  FrameWriter(Channel channel, FrameHandler frames, SlowConsumers slow) {
    this.channel = channel;
    this.frames = frames;
    this.slow = slow;
    this.budget = slow.budget;
    // Created once the upgrade response's listeners added any extension encoder, so the pipeline
    // is final here.
    this.rawWrites =
        channel.pipeline().get(WebSocketExtensionEncoder.class) == null
            ? channel.pipeline().context(WebSocketFrameEncoder.class)
            : null;
  }

  /** The frame stage this writer belongs to. */
  FrameHandler frames() {
    return frames;
  }

  /**
   * Writes an event, shared by all its recipients as one complete WebSocket frame; the caller keeps
   * its reference. On the I/O thread (the fan-out hands events from other threads over in batches,
   * see {@link Fanout}).
   */
  void event(ByteBuf shared) {
    eventOwned(shared.retain());
  }

  /**
   * Writes an event as {@link #event}, but one of the frame's references passes to this method: a
   * fan-out takes the references of all its recipients at once instead of one by one. On the I/O
   * thread.
   */
  void eventOwned(ByteBuf shared) {
    if (closed) {
      shared.release();
      return;
    }
    // The policy first: under the default one, write() alone looks at the buffer's state.
    if (slow.dropsEvents && behind()) {
      slow.dropped();
      shared.release();
      return;
    }
    // The frame itself, not a duplicate: nothing here moves its indexes, and a frame that goes to
    // Netty goes as a duplicate (writeNow).
    write(shared);
  }

  /**
   * Writes {@code n} events that {@link RoomFrames} joined into {@code joined}: that buffer as it
   * is while frames go below the WebSocket encoder and the connection is not behind, else each
   * event as {@link #eventOwned} writes it. Returns whether it took one of {@code joined}'s
   * references; the events' stay the caller's. On the I/O thread.
   */
  boolean eventsJoined(ByteBuf joined, ByteBuf[] events, int n) {
    if (closed) {
      return false;
    }
    if (rawWrites != null && !behind()) {
      writeInOrder(joined); // RoomFrames is writing what it held: nothing is held now
      return true;
    }
    for (int i = 0; i < n; i++) {
      eventOwned(events[i].retain());
    }
    return false;
  }

  /**
   * Writes a reply, or an error answer, whose reference passes to this method. Never dropped while
   * the connection is open. Any thread: from another one, the write travels as one I/O-thread task,
   * behind the events that thread handed over before.
   */
  void reply(ByteBuf frame) {
    reply(frame, 0);
  }

  /**
   * Encodes a reply and writes it, under the server-wide budget for what the server holds for
   * clients that are behind ({@link Hardening#maxBacklogMemory()}): the reply counts from the
   * moment it is encoded until the I/O thread takes it ({@link ReplyCharge}). Past the budget, a
   * connection at least as far behind as the average is cut (1013) instead of having its reply
   * encoded, and a reply that would take the total past it is refused. Any thread.
   *
   * @throws ZocketException with code {@code LIMIT_EXCEEDED} when the reply was refused for the
   *     budget; nothing was queued, and the call is still owed an answer
   * @throws RuntimeException what {@link Outgoing#writeTo} threw; nothing was queued either
   */
  void reply(Outgoing reply) {
    long held = heldWhileBehind;
    if (held >= 0 && slow.closes && budget.wouldCut(held)) {
      cutFromAnyThread(
          "it does not read its replies while what the server holds for clients is past "
              + budget.max()
              + " bytes");
      return;
    }
    ByteBuf frame = ReplyCharge.encode(channel.alloc(), reply, budget);
    reply(frame, cost(frame));
  }

  /**
   * Writes a reply whose bytes were counted as on their way to the I/O thread ({@code charged}):
   * they stop counting there once the frame is written, or queued and counted as any frame.
   */
  private void reply(ByteBuf frame, long charged) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      budget.addInTransit(-charged);
      write(frame);
      return;
    }
    try {
      loop.execute(
          () -> {
            budget.addInTransit(-charged);
            write(frame);
          });
    } catch (RejectedExecutionException e) {
      budget.addInTransit(-charged);
      frame.release(); // the I/O thread is stopping: the connection is closing
    }
  }

  /** Any thread: closes the connection as a slow consumer, on its I/O thread. */
  private void cutFromAnyThread(String why) {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                if (!closed) {
                  cut(why);
                }
              });
    } catch (RejectedExecutionException e) {
      channel.close(); // the I/O threads are stopping
    }
  }

  /** Publishes what this connection holds while behind, for {@link #reply(Outgoing)}. */
  private void publish() {
    heldWhileBehind = behindNow && !closed ? backlogBytes + outBytes : -1;
  }

  /**
   * On the I/O thread: writes a frame now, or queues it behind the ones that wait. The frame's
   * reference passes to this method, its indexes are left as they are.
   */
  private void write(ByteBuf frame) {
    RoomFrames.writePending(); // the room events held back before this frame go first
    writeInOrder(frame);
  }

  /** {@link #write}, once nothing the thread's {@link RoomFrames} held can be overtaken. */
  private void writeInOrder(ByteBuf frame) {
    if (closed || !channel.isActive()) {
      frame.release();
      return;
    }
    if (backlog == null || backlog.isEmpty()) {
      if (channel.isWritable()) {
        writing = true;
        writeNow(frame);
        writing = false;
        if (behindNow) {
          // This frame filled Netty's buffer, by as much as its size: what Netty holds counts now.
          checkLimits(recount());
        }
        return;
      }
      if (backlog == null) {
        backlog = new ArrayDeque<>();
      }
      fellBehind();
    }
    backlog.add(frame);
    int cost = cost(frame);
    backlogBytes += cost;
    checkLimits(budget.add(cost));
  }

  /**
   * Under the default policy, cuts the connection if what it holds passed its limit, or if it is at
   * least as far behind as the average while everything held passed the server-wide budget, {@code
   * total} being the total it just made.
   */
  private void checkLimits(long total) {
    publish();
    if (!slow.closes) {
      return;
    }
    long own = backlogBytes + outBytes;
    if (own > slow.maxBacklogBytes) {
      cut("it holds more than " + slow.maxBacklogBytes + " bytes");
    } else {
      // Past the server-wide budget, the connections furthest behind go first: a healthy client
      // that lags a little keeps its place while a stalled one is cut.
      budget.cutIfFurtherBehind(
          own,
          total,
          () ->
              cut(
                  "all connections behind hold more than "
                      + budget.max()
                      + " bytes and it holds at least their average"));
    }
  }

  /**
   * Closes a slow consumer with 1013. While everything held is past the server-wide budget, its
   * socket is closed at once too: what Netty holds for it is released now, not once the client has
   * read up to the close frame (which it would not see then).
   */
  private void cut(String why) {
    frames.slowConsumer(why);
    if (!closed) {
      return;
    }
    // Counts again what Netty holds: the close dropped the frames the socket had not begun, which
    // the close's first count, taken just before, still held for as long as the socket stays open.
    close(false);
    if (channel.isActive() && budget.passed()) {
      channel.close();
      close(false); // counts what Netty held as released: the close released it
    }
  }

  /** What Netty's outbound buffer and {@link SocketWrites} hold for this connection now. */
  private long pending() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    long n = out == null ? 0 : out.totalPendingWriteBytes();
    return socketWrites == null ? n : n + socketWrites.bytes();
  }

  /** Counts what Netty holds now for a connection that is behind; returns the new total. */
  private long recount() {
    long held = pending();
    long delta = held - outBytes;
    outBytes = held;
    return budget.add(delta);
  }

  /**
   * What a waiting frame takes: its buffer's capacity (an encoded event is kept in the buffer it
   * was written into, which can be up to twice its length; shared by every recipient, but counted
   * for each) and its bookkeeping.
   */
  static int cost(ByteBuf frame) {
    return frame.capacity() + ENTRY_OVERHEAD;
  }

  private void writeNow(ByteBuf frame) {
    ChannelHandlerContext raw = rawWrites;
    // Netty moves the reader index of what it writes: it gets a duplicate, which carries the
    // frame's reference.
    boolean toSocket = raw != null && straightToSocket();
    if (raw == null) {
      channel.write(
          new TextWebSocketFrame(frame.duplicate().skipBytes(TextFrames.headerLength(frame))),
          channel.voidPromise());
    } else if (toSocket && SocketWrites.fits(channel)) {
      if (socketWrites(null).accepts(frame)) {
        socketWrites.add(frame);
      } else {
        channel.unsafe().write(frame.duplicate(), channel.voidPromise());
      }
    } else if (!closed && (socketWrites != null || toSocket || SocketWrites.throughTls(raw))) {
      // Copied into buffers written from the encoder's context (to the TLS handler, or to another
      // transport's outbound buffer). Not once closed: the close frame goes through the pipeline,
      // behind what was handed over and behind frames written after the hand-over (the backlog),
      // which must not wait here.
      socketWrites(raw).add(frame);
    } else {
      raw.write(frame.duplicate(), channel.voidPromise());
    }
    if (!flushPending) {
      flushPending = true;
      Flusher.add(this, channel.eventLoop());
    }
  }

  /**
   * The frames of this pass for the socket, or, with {@code copies}, copied into buffers that
   * context writes (to the TLS handler, or another transport's outbound buffer); lent by the I/O
   * thread on the pass's first write.
   */
  private SocketWrites socketWrites(ChannelHandlerContext copies) {
    if (socketWrites == null) {
      socketWrites = SocketWrites.lend(channel, copies);
    }
    return socketWrites;
  }

  /** Whether frames wait for the client: Netty's buffer is full, or frames are queued here. */
  boolean behind() {
    return !channel.isWritable() || (backlog != null && !backlog.isEmpty());
  }

  /** On the I/O thread, when Netty's outbound buffer fills up or drains. */
  void writabilityChanged() {
    if (closed) {
      return; // nothing is written any more, and the connection no longer counts as behind
    }
    if (!channel.isWritable()) {
      fellBehind();
      if (!writing) { // else write() or flush() looks once its hand-over is done
        checkLimits(recount());
      }
      return;
    }
    if (behindNow) {
      startStallTimer(); // the client read something: it is slow, not stalled
    }
    ArrayDeque<ByteBuf> b = backlog;
    writing = true;
    while (b != null && !b.isEmpty() && channel.isWritable()) {
      ByteBuf frame = b.poll();
      int cost = cost(frame);
      backlogBytes -= cost;
      budget.add(-cost);
      writeNow(frame);
    }
    writing = false;
    if (!behind()) {
      caughtUp();
    } else if (behindNow) {
      recount(); // frames moved from the backlog to Netty's buffer, which took less of them
      publish();
    }
  }

  private void fellBehind() {
    if (behindNow) {
      return;
    }
    behindNow = true;
    budget.fellBehind();
    recount();
    publish();
    startStallTimer();
    frames.behind(true);
  }

  /** (Re)starts the time a connection that is behind may go without reading anything. */
  private void startStallTimer() {
    cancelTimer();
    behindTimer =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  behindTimer = null;
                  if (slow.closes) {
                    cut("it read nothing for " + slow.maxBacklogTime);
                  }
                },
                slow.maxBacklogTime.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  private void caughtUp() {
    if (!behindNow) {
      return;
    }
    behindNow = false;
    budget.add(-outBytes); // below the low water mark now: uncounted, see above
    outBytes = 0;
    publish();
    budget.caughtUp();
    cancelTimer();
    frames.behind(false);
  }

  private void cancelTimer() {
    if (behindTimer != null) {
      behindTimer.cancel(false);
      behindTimer = null;
    }
  }

  /**
   * On the I/O thread, once a close frame is about to be sent: refuses every later frame, and
   * either hands the backlog to Netty, so that the close frame follows every frame written before
   * it, or releases it, so that the close frame follows only what Netty already holds. What Netty
   * holds counts as a closing connection's until the socket has closed: called again then (and when
   * it closes without a closing handshake), it counts nothing any more.
   *
   * @param deliverBacklog whether the backlog goes out before the close frame (a close the server
   *     or the application chose) or is released (a slow consumer's, or one the peer began)
   */
  void close(boolean deliverBacklog) {
    RoomFrames.writePending(); // the room events held back go before the close frame
    boolean wasOpen = !closed;
    closed = true;
    heldWhileBehind = -1;
    if (socketWrites != null) {
      socketWrites.handOver(); // still lent: given back by the flush that is pending
    }
    if (behindNow) {
      behindNow = false;
      budget.caughtUp();
    }
    ArrayDeque<ByteBuf> b = backlog;
    if (b != null) {
      for (ByteBuf frame; (frame = b.poll()) != null; ) {
        if (deliverBacklog && channel.isActive()) {
          writeNow(frame); // after what SocketWrites handed over: still in order
        } else {
          frame.release();
        }
      }
      budget.add(-backlogBytes);
      backlogBytes = 0;
    }
    cancelTimer();
    if (wasOpen && outBytes != 0) {
      budget.add(-outBytes); // no longer behind
      outBytes = 0;
    }
    long held = channel.isActive() ? pending() : 0;
    if (held != outBytes) {
      budget.addClosing(held - outBytes);
      outBytes = held;
    }
  }

  /** The bytes waiting in the backlog. On the I/O thread. */
  long backlogBytes() {
    return backlogBytes;
  }

  /** Flushes what was written during the I/O thread's pass, at its end ({@link Flusher}). */
  void flush() {
    flushPending = false;
    writing = true;
    if (rawWrites == null) {
      channel.flush();
    } else if (socketWrites != null) {
      SocketWrites s = socketWrites;
      s.flush();
      // Given back only when nothing was written to it meanwhile (a backlog drained as the socket
      // took the frames): else the flush this writing scheduled writes it, and gives it back.
      if (socketWrites == s && s.isEmpty()) {
        socketWrites = null;
        s.giveBack();
      }
    } else if (!straightToSocket()) {
      rawWrites.flush();
    } else {
      channel.unsafe().flush();
    }
    writing = false;
    if (behindNow && !closed) {
      checkLimits(recount()); // the frames of the pass that the socket did not take went to Netty
    }
  }

  /**
   * Whether nothing lies between the WebSocket encoder and the socket (no TLS, and the HTTP codec,
   * which the upgrade removes once its response is written, gone): then a frame goes to the socket
   * at the end of the pass ({@link SocketWrites}, on epoll), or to the channel's outbound buffer as
   * the pipeline's head would put it there, without walking the pipeline and checking a promise per
   * member (a fifth of the Java samples of a fan-out to 500, BENCHMARKS.md). On the I/O thread.
   */
  private boolean straightToSocket() {
    return channel.pipeline().firstContext() == rawWrites;
  }
}
