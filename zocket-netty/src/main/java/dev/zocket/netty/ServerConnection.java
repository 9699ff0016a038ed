package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.Emitter;
import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.RoomSet;
import dev.zocket.ZocketException;
import dev.zocket.internal.Connection;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.Outgoing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: its context, handlers, rooms, and the serial queue that runs
 * its messages one at a time on the handler executor.
 *
 * <p>The queue is counted by {@code pending}, which starts at 1: a gate held until {@code
 * onConnect} completes, so messages that arrive earlier wait in order. Only the I/O thread adds to
 * the queue; the executor drains it. A {@code @NonBlocking} message runs on the I/O thread when the
 * count is zero, that is when nothing of this connection is queued or running, and once the frames
 * written by the last executor run have reached the I/O thread (writes from other threads travel as
 * I/O-thread tasks; a direct write could overtake them). Each run of the executor is an "epoch";
 * when it ends it posts a task that re-allows inline handling unless a new epoch began.
 */
final class ServerConnection implements Connection, Context<Object>, Runnable {
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /** Queue length and bytes at which a connection paused by a full queue is read from again. */
  private static final int RESUME_AT = Hardening.MAX_QUEUED_MESSAGES / 2;

  private static final long RESUME_AT_BYTES = Hardening.MAX_QUEUED_BYTES / 2;

  /** Queued bytes of a connection above which each message checks the server-wide total. */
  private static final long GLOBAL_CHECK_BYTES = 64 * 1024;

  /** Messages handled in one executor task before it yields to other connections. */
  private static final int BATCH = 64;

  private static final Object DISCONNECT = new Object();

  private static final int CONNECTING = 0;
  private static final int OPEN = 1;
  private static final int CLOSED = 2;

  private final ServerConfig config;
  private final Channel channel;
  private final FrameHandler frames;
  private final FrameWriter writer;
  private final String clientId;
  private final Object headers;
  private final Rooms rooms = new Rooms();
  private static final AtomicIntegerFieldUpdater<ServerConnection> PENDING =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "pending");
  private static final AtomicIntegerFieldUpdater<ServerConnection> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "inFlight");
  private static final AtomicIntegerFieldUpdater<ServerConnection> PAUSED =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "paused");
  private static final AtomicLongFieldUpdater<ServerConnection> QUEUED_BYTES =
      AtomicLongFieldUpdater.newUpdater(ServerConnection.class, "queuedBytes");

  /** Created by the first {@link #attribute(String, Object)}. */
  private volatile ConcurrentHashMap<String, Object> attributes;

  /**
   * Created on the I/O thread by the first message that waits, the only thread that adds to it; the
   * executor polls it only after being handed work, which comes after the add.
   */
  private volatile Queue<Object> queue;

  /** Messages queued or running, plus the gate of 1 held until {@code onConnect} completes. */
  private volatile int pending = 1;

  /** Calls received and not answered yet: one per inbound message with an rpcId. */
  private volatile int inFlight;

  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private volatile int state = CONNECTING;

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

  /** Whether a shutdown has closed this connection. */
  private volatile boolean wentAway;

  private volatile Object user;
  private volatile Object[] handlers;

  ServerConnection(
      ServerConfig config,
      Channel channel,
      FrameHandler frames,
      FrameWriter writer,
      String clientId,
      Object headers) {
    this.config = config;
    this.channel = channel;
    this.frames = frames;
    this.writer = writer;
    this.clientId = clientId;
    this.headers = headers;
  }

  /** The connection's I/O thread. */
  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** Completes once the connection has ended and its {@code onDisconnect} (if any) has run. */
  CompletableFuture<Void> terminated() {
    return terminated;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Runs {@code onConnect} on the executor. Called on the I/O thread after the upgrade. */
  void start() {
    try {
      config.executor.execute(this::connect);
    } catch (RejectedExecutionException e) {
      connectFailed(e);
    }
  }

  private void connect() {
    CompletionStage<?> stage;
    try {
      stage =
          Objects.requireNonNull(
              config.onConnect.apply(headers, clientId), "onConnect returned null");
    } catch (Throwable t) {
      connectFailed(t);
      return;
    }
    stage.whenComplete(
        (u, t) -> {
          if (t != null) {
            connectFailed(
                t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
            return;
          }
          try {
            user = u;
            handlers = config.dispatcher.routes().newHandlers(this);
          } catch (RuntimeException e) {
            connectFailed(e);
            return;
          }
          try {
            channel.eventLoop().execute(this::connected);
          } catch (RejectedExecutionException e) {
            connectFailed(e); // the I/O threads are stopping
          }
        });
  }

  /** On the I/O thread: opens the connection, or ends it if it closed meanwhile. */
  private void connected() {
    if (channel.isActive()) {
      state = OPEN;
      config.registry.add(this);
      log.debug("Client {} connected from {}", clientId, channel.remoteAddress());
    } else {
      state = CLOSED;
      rooms.leaveAll(); // rooms a handler factory joined
      queue().add(DISCONNECT);
      PENDING.incrementAndGet(this);
    }
    if (PENDING.decrementAndGet(this) != 0) {
      startEpoch();
      schedule();
    } else {
      inlineAllowed = true;
    }
  }

  private void connectFailed(Throwable t) {
    if (t instanceof ZocketException z) {
      log.debug("onConnect rejected client {}: {}", clientId, LogSafe.text(z.toString()));
    } else {
      log.error("onConnect failed for client {}", clientId, t);
    }
    Runnable end =
        () -> {
          state = CLOSED;
          rooms.leaveAll();
          rooms.forget();
          dropQueue(DropReason.CLOSING); // messages sent before onConnect failed
          config.live.remove(this);
          terminated.complete(null);
          if (t instanceof ZocketException z) {
            closeWith(1008, z.getMessage());
          } else {
            closeWith(1011, "Internal error");
          }
        };
    try {
      channel.eventLoop().execute(end);
    } catch (RejectedExecutionException e) {
      end.run(); // the I/O threads are stopping; nothing else touches this connection
    }
  }

  /** On the I/O thread, when the channel has closed. */
  void closed() {
    if (state != OPEN) {
      return; // connecting: connected() or connectFailed() ends it
    }
    state = CLOSED;
    rooms.leaveAll();
    enqueue(DISCONNECT);
  }

  private void disconnected() {
    try {
      config.onDisconnect.accept(this);
    } catch (Throwable t) {
      log.error("onDisconnect failed for client {}", clientId, t);
    } finally {
      rooms.forget();
      attributes = null;
      config.live.remove(this);
      terminated.complete(null);
      log.debug("Client {} disconnected", clientId);
    }
  }

  // ------------------------------------------------------------------ inbound

  /** On the I/O thread: handles a decoded message now or queues it. */
  void receive(Dispatcher.Inbound in) {
    String rpcId = in.rpcId();
    if (rpcId != null && IN_FLIGHT.incrementAndGet(this) > config.hardening.maxCallsInFlight()) {
      IN_FLIGHT.decrementAndGet(this);
      reject(rpcId, "Too many calls in flight");
      return;
    }
    if (inlineAllowed && in.nonBlocking() && pending == 0) {
      config.dispatcher.handle(this, in);
      return;
    }
    long bytes = QUEUED_BYTES.addAndGet(this, in.size());
    config.inboundMemory.add(in.size());
    int before = enqueue(in);
    // The server-wide total is summed only for a queue of some size: a short one adds little.
    if (bytes > GLOBAL_CHECK_BYTES
        && config.inboundMemory.sum() > config.hardening.maxInboundMemory()) {
      frames.overInboundMemory();
    }
    if (paused == 0
        && (before + 1 >= Hardening.MAX_QUEUED_MESSAGES || bytes > Hardening.MAX_QUEUED_BYTES)) {
      paused = 1;
      frames.pause(FrameHandler.QUEUE_FULL);
      if (drainedEnough() && PAUSED.compareAndSet(this, 1, 0)) {
        frames.resume(FrameHandler.QUEUE_FULL); // the executor drained it meanwhile
      }
    }
  }

  /** Whether a connection paused by its queue may be read from again. */
  private boolean drainedEnough() {
    return pending <= RESUME_AT && queuedBytes <= RESUME_AT_BYTES;
  }

  /** On the I/O thread: answers a call with {@code RATE_LIMITED} without handling it. */
  void reject(String rpcId, String message) {
    log.debug("Client {}: {}", clientId, message);
    IN_FLIGHT.incrementAndGet(this); // the answer settles it, as any answer to a call (see send)
    config.dispatcher.reject(this, rpcId, new ZocketException(ErrorCodes.RATE_LIMITED, message));
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

  /** Drops every queued message, counting each, when the connection can no longer handle them. */
  private void dropQueue(DropReason reason) {
    Queue<Object> q = queue;
    if (q == null) {
      return;
    }
    for (Object task; (task = q.poll()) != null; ) {
      if (task instanceof Dispatcher.Inbound in) {
        config.drops.count(reason);
        QUEUED_BYTES.addAndGet(this, -in.size());
        config.inboundMemory.add(-in.size());
      }
    }
  }

  /** On the I/O thread, when the queue becomes non-empty. */
  private void startEpoch() {
    inlineAllowed = false;
    epoch++; // single writer
  }

  /** On the executor, when the queue became empty: allows inline handling after our writes. */
  private void endEpoch(int ended) {
    try {
      channel.eventLoop().execute(() -> inlineAllowed = epoch == ended);
    } catch (RejectedExecutionException e) {
      // the I/O threads are stopping: nothing will be read any more
    }
  }

  private void resumeReading() {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                if (paused == 0) { // not paused again meanwhile
                  frames.resume(FrameHandler.QUEUE_FULL);
                }
              });
    } catch (RejectedExecutionException e) {
      // the I/O threads are stopping: nothing will be read any more
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops reading new messages, for a graceful shutdown. Any thread.
   *
   * @return completes once no more messages are read
   */
  Future<?> drain() {
    try {
      return channel.eventLoop().submit(() -> frames.pause(FrameHandler.DRAINING));
    } catch (RejectedExecutionException e) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null); // nothing is read any more
    }
  }

  /** Whether no message of this connection is waiting, running or owed an answer. */
  boolean idle() {
    return state == CLOSED || (state == OPEN && pending == 0 && inFlight == 0);
  }

  /** Closes with 1001 for a shutdown, once. Any thread. */
  void goAway() {
    if (!wentAway) {
      wentAway = true;
      closeWith(1001, "Server is shutting down");
    }
  }

  private void schedule() {
    try {
      config.executor.execute(this);
    } catch (RejectedExecutionException e) {
      log.warn("Handler executor rejected work of client {}; dropping its queue", clientId);
      dropQueue(DropReason.INTERNAL_ERROR);
      config.live.remove(this);
      terminated.complete(null);
    }
  }

  /** Drains the queue on the executor, one task at a time. */
  @Override
  public void run() {
    for (int n = 1; ; n++) {
      Object task = queue.poll();
      if (task == DISCONNECT) {
        disconnected();
      } else {
        Dispatcher.Inbound in = (Dispatcher.Inbound) task;
        config.dispatcher.handle(this, in);
        QUEUED_BYTES.addAndGet(this, -in.size());
        config.inboundMemory.add(-in.size());
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

  // ------------------------------------------------------------------ outbound

  /**
   * Answers a call: the reply is encoded on the calling thread straight into a WebSocket frame and
   * written behind the events already handed over (see {@link FrameWriter#reply}). Never dropped: a
   * client that is behind is not read from, which bounds what it can make the server answer. Any
   * thread.
   */
  @Override
  public void send(Outgoing reply) {
    ByteBuf frame = TextFrames.encode(channel.alloc(), reply); // may throw: still owed an answer
    IN_FLIGHT.decrementAndGet(this);
    writer.reply(frame);
  }

  /**
   * Writes an event, shared by all its recipients as one complete WebSocket frame; the caller keeps
   * its reference. On the I/O thread (see {@link FrameWriter#event}).
   */
  void write(ByteBuf shared) {
    writer.event(shared);
  }

  /** Closes the connection with a status, completing the closing handshake. Any thread. */
  void closeWith(int status, String reason) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      frames.close(status, reason);
      return;
    }
    try {
      loop.execute(() -> frames.close(status, reason));
    } catch (RejectedExecutionException e) {
      channel.close(); // the I/O threads are stopping
    }
  }

  // ------------------------------------------------------------------ Connection and Context

  @Override
  public Context<?> context() {
    return this;
  }

  @Override
  public Object handler(int index) {
    return handlers[index];
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public Object user() {
    return user;
  }

  @Override
  public RoomSet rooms() {
    return rooms;
  }

  @Override
  public <E> Emitter<E> emit(Class<E> events) {
    return config.emitters.emitter(events);
  }

  @Override
  public Object attribute(String name) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> a = attributes;
    return a == null ? null : a.get(name);
  }

  @Override
  public void attribute(String name, Object value) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> a = attributes;
    if (value == null) {
      if (a != null) {
        a.remove(name);
      }
      return;
    }
    if (a == null) {
      synchronized (this) {
        a = attributes;
        if (a == null) {
          a = new ConcurrentHashMap<>();
          attributes = a;
        }
      }
    }
    a.put(name, value);
  }

  @Override
  public void close() {
    closeWith(1000, "");
  }

  @Override
  public String toString() {
    return "Connection(" + clientId + ")";
  }

  /**
   * The room memberships of this connection, mirrored into the registry while it is open: an
   * immutable set replaced on every change (joins and leaves are rare next to {@link #has}, and
   * most connections are in a few rooms), changed under this object's lock.
   */
  private final class Rooms implements RoomSet {
    private volatile Set<String> names = Set.of();

    @Override
    public void join(String room) {
      Objects.requireNonNull(room, "room == null");
      int maxLength = config.hardening.maxRoomIdLength();
      if (room.length() > maxLength) {
        // The id is not quoted: it comes from a client, and the message may well be logged.
        throw new IllegalArgumentException(
            "room id has "
                + room.length()
                + " characters, more than the "
                + maxLength
                + " allowed");
      }
      synchronized (this) {
        Set<String> current = names;
        if (current.contains(room)) {
          return;
        }
        int max = config.hardening.maxRoomsPerConnection();
        if (current.size() >= max) {
          throw new ZocketException(
              ErrorCodes.LIMIT_EXCEEDED, "A connection may be in at most " + max + " rooms");
        }
        String name = room;
        if (state != CLOSED) {
          // May refuse (the server's room memory is full); else shares the registry's id.
          name = config.registry.join(room, ServerConnection.this);
          if (state == CLOSED) { // closed meanwhile: closed() may have missed this room
            config.registry.leave(room, ServerConnection.this);
          }
        }
        names = with(current, name);
      }
    }

    @Override
    public void leave(String room) {
      Objects.requireNonNull(room, "room == null");
      synchronized (this) {
        Set<String> current = names;
        if (current.contains(room)) {
          names = without(current, room);
          config.registry.leave(room, ServerConnection.this);
        }
      }
    }

    @Override
    public boolean has(String room) {
      return names.contains(Objects.requireNonNull(room, "room == null"));
    }

    @Override
    public Set<String> current() {
      return names;
    }

    /** Takes this connection out of the registry's rooms; its own list stays for onDisconnect. */
    void leaveAll() {
      synchronized (this) {
        config.registry.remove(ServerConnection.this, names);
      }
    }

    /** Empties the list, once onDisconnect has run. */
    void forget() {
      names = Set.of();
    }

    @Override
    public String toString() {
      return names.toString();
    }
  }

  private static Set<String> with(Set<String> set, String element) {
    return switch (set.size()) {
      case 0 -> Set.of(element);
      case 1 -> Set.of(set.iterator().next(), element);
      default -> {
        String[] all = set.toArray(new String[set.size() + 1]);
        all[set.size()] = element;
        yield Set.of(all);
      }
    };
  }

  private static Set<String> without(Set<String> set, String element) {
    if (set.size() == 1) {
      return Set.of();
    }
    String[] rest = new String[set.size() - 1];
    int i = 0;
    for (String s : set) {
      if (!s.equals(element)) {
        rest[i++] = s;
      }
    }
    return Set.of(rest);
  }
}
