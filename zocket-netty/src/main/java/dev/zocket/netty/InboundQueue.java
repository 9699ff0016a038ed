package dev.zocket.netty;

import dev.zocket.DropReason;
import dev.zocket.internal.Dispatcher;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The serial queue of one connection's inbound messages: runs them one at a time, in arrival order,
 * on the handler executor, then the connection's end; and keeps the connection from being read
 * while too many of them wait. Its own class so that the connection's order and flow control can be
 * read in one place, apart from the connection's lifecycle.
 *
 * <p>The queue is counted by {@code pending}, which starts at 1: a gate held until {@code
 * onConnect} completes ({@link #open}), so messages that arrive earlier wait in order. Only the I/O
 * thread adds to the queue; the executor drains it. A {@code @NonBlocking} message runs on the I/O
 * thread when the count is zero, that is when nothing of this connection is queued or running, and
 * once the frames written by the last executor run have reached the I/O thread (writes from other
 * threads travel as I/O-thread tasks; a direct write could overtake them). Each run of the executor
 * is an "epoch"; when it ends it posts a task that re-allows inline handling unless a new epoch
 * began.
 *
 * <p>Reading pauses ({@link ReadPauses#QUEUE_FULL}) while {@link Hardening#MAX_QUEUED_MESSAGES}
 * messages or {@link Hardening#MAX_QUEUED_BYTES} bytes wait, and resumes at half of both; the bytes
 * also count toward the server-wide inbound memory (see {@link ReadPauses#overInboundMemory}).
 *
 * <p>Threading: {@link #handle}, {@link #open} and {@link #disconnect} on the connection's I/O
 * thread; {@link #run} on the handler executor; {@link #drop} once nothing else adds to or drains
 * the queue; {@link #idle} on any thread.
 */
final class InboundQueue implements Runnable {
  /** Queue length and bytes at which a connection paused by a full queue is read from again. */
  private static final int RESUME_AT = Hardening.MAX_QUEUED_MESSAGES / 2;

  private static final long RESUME_AT_BYTES = Hardening.MAX_QUEUED_BYTES / 2;

  /** Queued bytes of a connection above which each message checks the server-wide total. */
  private static final long GLOBAL_CHECK_BYTES = 64 * 1024;

  /** Messages handled in one executor task before it yields to other connections. */
  private static final int BATCH = 64;

  /** The last task of a connection: its end ({@link ServerConnection#disconnected}). */
  private static final Object DISCONNECT = new Object();

  private static final AtomicIntegerFieldUpdater<InboundQueue> PENDING =
      AtomicIntegerFieldUpdater.newUpdater(InboundQueue.class, "pending");
  private static final AtomicIntegerFieldUpdater<InboundQueue> PAUSED =
      AtomicIntegerFieldUpdater.newUpdater(InboundQueue.class, "paused");
  private static final AtomicLongFieldUpdater<InboundQueue> QUEUED_BYTES =
      AtomicLongFieldUpdater.newUpdater(InboundQueue.class, "queuedBytes");

  private final ServerConnection connection;
  private final FrameHandler frames;

  /**
   * Created on the I/O thread by the first message that waits, the only thread that adds to it; the
   * executor polls it only after being handed work, which comes after the add.
   */
  private volatile Queue<Object> queue;

  /** Messages queued or running, plus the gate of 1 held until {@code onConnect} completes. */
  private volatile int pending = 1;

  /** Written on the I/O thread only: incremented when the queue goes from empty to non-empty. */
  private volatile int epoch;

  /** I/O thread only: whether a non-blocking message may run inline. */
  private boolean inlineAllowed;

  /**
   * 1 while reading is paused because the queue is long (set on the I/O thread; taken back by
   * whichever side finds the queue drained enough, once).
   */
  private volatile int paused;

  /**
   * The bytes of the frames of the messages queued: added on the I/O thread, taken by the executor.
   */
  private volatile long queuedBytes;

  InboundQueue(ServerConnection connection, FrameHandler frames) {
    this.connection = connection;
    this.frames = frames;
  }

  /** On the I/O thread: handles a decoded message now or queues it. */
  void handle(Dispatcher.Inbound in) {
    if (inlineAllowed && in.nonBlocking() && pending == 0) {
      connection.app().dispatcher().handle(connection, in);
      return;
    }
    long bytes = QUEUED_BYTES.addAndGet(this, in.size());
    connection.state().inbound.add(in.size());
    int before = enqueue(in);
    // The server-wide total is summed only for a queue of some size: a short one adds little.
    if (bytes > GLOBAL_CHECK_BYTES && connection.state().inbound.over()) {
      frames.overInboundMemory();
    }
    if (paused == 0
        && (before + 1 >= Hardening.MAX_QUEUED_MESSAGES || bytes > Hardening.MAX_QUEUED_BYTES)) {
      paused = 1;
      frames.pause(ReadPauses.QUEUE_FULL);
      if (drainedEnough() && PAUSED.compareAndSet(this, 1, 0)) {
        frames.resume(ReadPauses.QUEUE_FULL); // the executor drained it meanwhile
      }
    }
  }

  /**
   * On the I/O thread, once {@code onConnect} has completed: lifts the gate, so the messages that
   * waited for it run, and later ones may run inline.
   */
  void open() {
    if (PENDING.decrementAndGet(this) != 0) {
      startEpoch();
      schedule();
    } else {
      inlineAllowed = true;
    }
  }

  /**
   * On the I/O thread: queues the connection's end behind every message already received; it runs
   * after them, once the gate is lifted.
   */
  void disconnect() {
    enqueue(DISCONNECT);
  }

  /** Drops every queued message, counting each, when the connection can no longer handle them. */
  void drop(DropReason reason) {
    Queue<Object> q = queue;
    if (q == null) {
      return;
    }
    for (Object task; (task = q.poll()) != null; ) {
      if (task instanceof Dispatcher.Inbound in) {
        connection.state().drops.count(reason);
        QUEUED_BYTES.addAndGet(this, -in.size());
        connection.state().inbound.add(-in.size());
      }
    }
  }

  /** Whether nothing is queued or running and the gate is lifted. Any thread. */
  boolean idle() {
    return pending == 0;
  }

  /** Whether a connection paused by its queue may be read from again. */
  private boolean drainedEnough() {
    return pending <= RESUME_AT && queuedBytes <= RESUME_AT_BYTES;
  }

  /** Queues a task; returns the number queued or running before it. */
  private int enqueue(Object task) {
    queue().add(task);
    int before = PENDING.getAndIncrement(this);
    if (before == 0) {
      startEpoch();
      schedule();
    }
    return before;
  }

  /** On the I/O thread: the queue, created on first use. */
  private Queue<Object> queue() {
    Queue<Object> q = queue;
    if (q == null) {
      q = new ConcurrentLinkedQueue<>();
      queue = q;
    }
    return q;
  }

  /** On the I/O thread, when the queue becomes non-empty. */
  private void startEpoch() {
    inlineAllowed = false;
    epoch++; // single writer
  }

  /** On the executor, when the queue became empty: allows inline handling after our writes. */
  private void endEpoch(int ended) {
    try {
      connection.eventLoop().execute(() -> inlineAllowed = epoch == ended);
    } catch (RejectedExecutionException e) {
      // the I/O threads are stopping: nothing will be read any more
    }
  }

  private void resumeReading() {
    try {
      connection
          .eventLoop()
          .execute(
              () -> {
                if (paused == 0) { // not paused again meanwhile
                  frames.resume(ReadPauses.QUEUE_FULL);
                }
              });
    } catch (RejectedExecutionException e) {
      // the I/O threads are stopping: nothing will be read any more
    }
  }

  private void schedule() {
    try {
      connection.app().executor().execute(this);
    } catch (RejectedExecutionException e) {
      connection.executorRejected();
    }
  }

  /** Drains the queue on the executor, one task at a time. */
  @Override
  public void run() {
    for (int n = 1; ; n++) {
      Object task = queue.poll();
      if (task == DISCONNECT) {
        connection.disconnected();
      } else {
        Dispatcher.Inbound in = (Dispatcher.Inbound) task;
        connection.app().dispatcher().handle(connection, in);
        QUEUED_BYTES.addAndGet(this, -in.size());
        connection.state().inbound.add(-in.size());
      }
      int current = epoch; // read before the count reaches zero, when a new epoch may begin
      int left = PENDING.decrementAndGet(this);
      if (paused == 1 && drainedEnough() && PAUSED.compareAndSet(this, 1, 0)) {
        resumeReading();
      }
      if (left == 0) {
        endEpoch(current);
        return;
      }
      if (n == BATCH) {
        schedule();
        return;
      }
    }
  }
}
