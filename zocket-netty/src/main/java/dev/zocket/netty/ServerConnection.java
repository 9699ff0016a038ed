package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.Emitter;
import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.RoomSet;
import dev.zocket.ZocketException;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.internal.RouteDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: its lifecycle, the {@link Context} its handlers see, its
 * handlers, and the answers it owes. Its messages run through its {@link InboundQueue}, one at a
 * time on the handler executor; its rooms are a {@link ConnectionRooms}; what connection-state
 * recovery does at each step of its life is its {@link Recovery.Link}'s.
 *
 * <p>Lifecycle: connecting until {@code onConnect} has completed on the executor and the I/O thread
 * has opened it (or ended it, if the channel closed meanwhile); open until the channel closes; then
 * closed, and {@code onDisconnect} runs on the executor behind every message already received. A
 * connection whose {@code onConnect} fails ends without {@code onDisconnect}.
 *
 * <p>What its handlers see of it (client id, user context, attributes) is its {@link
 * ConnectionContext}.
 *
 * <p>Threading: the lifecycle's steps run on the connection's I/O thread, except {@code onConnect}
 * and {@code onDisconnect} on the executor; replies, the {@link Context} and {@link #closeWith} may
 * be used from any thread.
 */
final class ServerConnection extends ConnectionContext {
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /**
   * Lines every connection can cause, so clients that connect in a loop can repeat them: the
   * application's callbacks failed, the executor refused work. Also used by {@link Sessions}.
   */
  private static final RateLimitedLog onConnectFailures = new RateLimitedLog(log);

  static final RateLimitedLog onDisconnectFailures = new RateLimitedLog(log);

  private static final RateLimitedLog rejections = new RateLimitedLog(log);

  private static final byte CONNECTING = 0;
  private static final byte OPEN = 1;
  private static final byte CLOSED = 2;

  private static final AtomicIntegerFieldUpdater<ServerConnection> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "inFlight");

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<ServerConnection, CompletableFuture> TERMINATED =
      AtomicReferenceFieldUpdater.newUpdater(
          ServerConnection.class, CompletableFuture.class, "terminated");

  /** What {@link #terminated()} gives once the connection has ended. */
  private static final CompletableFuture<Void> ENDED = CompletableFuture.completedFuture(null);

  /**
   * What every connection of the server shares: the application's parts, the server's state and
   * limits, the directory (one reference per connection, not one per part).
   */
  private final Connections shared;

  private final Channel channel;
  private final FrameWriter writer;
  private final Object headers;

  /** This connection's side of connection-state recovery. */
  private final Recovery.Link recovery;

  private final ConnectionRooms rooms;
  private final InboundQueue inbound;

  /** Its streams (extension). */
  private final ServerStreams streams;

  /** Calls received and not answered yet: one per inbound message with an rpcId. */
  private volatile int inFlight;

  /**
   * Completes once the connection has ended: null until a shutdown asks for it (most connections
   * never pay for a future), {@link #ENDED} once the connection has ended.
   */
  private volatile CompletableFuture<Void> terminated;

  /** {@link #CONNECTING}, {@link #OPEN} or {@link #CLOSED}; a byte, beside {@link #wentAway}. */
  private volatile byte lifecycle = CONNECTING;

  /** Whether a shutdown has closed this connection. */
  private volatile boolean wentAway;

  ServerConnection(
      Connections shared,
      Channel channel,
      FrameWriter writer,
      String clientId,
      Object headers,
      Recovery.Link recovery) {
    super(clientId);
    this.shared = shared;
    this.channel = channel;
    this.writer = writer;
    this.headers = headers;
    this.recovery = recovery;
    this.rooms = new ConnectionRooms(this);
    this.inbound = new InboundQueue(this, writer.frames());
    Application app = shared.app();
    this.streams =
        ServerStreams.of(this, channel, writer, app.dispatcher().writer(), app.executor());
  }

  /** What every connection of the server shares. */
  Connections shared() {
    return shared;
  }

  /** The application's parts. */
  Application app() {
    return shared.app();
  }

  /** The server's state. */
  ServerState state() {
    return shared.state();
  }

  /** The connection's I/O thread. */
  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** The allocator of the connection's buffers. */
  ByteBufAllocator alloc() {
    return channel.alloc();
  }

  /** Whether the connection has closed (or ended while connecting). Any thread. */
  boolean isClosed() {
    return lifecycle == CLOSED;
  }

  /** Completes once the connection has ended and its {@code onDisconnect} (if any) has run. */
  CompletableFuture<Void> terminated() {
    while (true) {
      CompletableFuture<Void> f = terminated;
      if (f != null) {
        return f;
      }
      f = new CompletableFuture<>();
      if (TERMINATED.compareAndSet(this, null, f)) {
        return f;
      }
    }
  }

  /** The connection has ended: it is no longer live, and {@link #terminated()} completes. */
  @SuppressWarnings("unchecked")
  private void terminate() {
    state().live.remove(this);
    CompletableFuture<Void> f = TERMINATED.getAndSet(this, ENDED);
    if (f != null) {
      f.complete(null);
    }
  }

  /** This connection's side of connection-state recovery. */
  Recovery.Link recovery() {
    return recovery;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Called on the I/O thread after the upgrade: claims the session the client resumes, if any (see
   * {@link Recovery.Link#claim}), which continues with {@link #resume} or {@link #connectAfresh}.
   */
  void start() {
    recovery.claim(this);
  }

  /**
   * Runs {@code onConnect} on the executor, then creates the handlers and registers. Any thread.
   */
  void connectAfresh() {
    execute(this::connect);
  }

  /**
   * Takes back a resumed session: its client id now, then on the executor its user context,
   * attributes and new handlers, and registers. Any thread.
   */
  void resume(String sessionClientId, Object sessionUser, Map<String, Object> sessionAttributes) {
    clientId = sessionClientId;
    execute(
        () -> {
          user = sessionUser;
          restoreAttributes(sessionAttributes);
          createHandlersThenRegister();
        });
  }

  /**
   * The session could not be resumed after all: leaves the rooms joined meanwhile under the old id,
   * forgets the attributes, and connects afresh under {@code newClientId}. Any thread.
   */
  void restartAfresh(String newClientId) {
    clearAttributes();
    rooms.leaveAll(); // rooms a handler factory joined: the connection leaves under its old id
    rooms.forget();
    clientId = newClientId;
    connectAfresh();
  }

  private void execute(Runnable step) {
    try {
      app().executor().execute(step);
    } catch (RejectedExecutionException e) {
      connectFailed(e);
    }
  }

  /** On the executor, once the user context is known: the handlers, then the registration. */
  private void createHandlersThenRegister() {
    try {
      handlers = app().dispatcher().routes().newHandlers(this);
    } catch (RuntimeException e) {
      connectFailed(e);
      return;
    }
    try {
      channel.eventLoop().execute(this::connected);
    } catch (RejectedExecutionException e) {
      connectFailed(e); // the I/O threads are stopping
    }
  }

  private void connect() {
    CompletionStage<?> stage;
    try {
      stage =
          Objects.requireNonNull(
              app().onConnect().apply(headers, clientId), "onConnect returned null");
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
          user = u;
          createHandlersThenRegister();
        });
  }

  /**
   * On the I/O thread: registers the connection (see {@link Recovery.Link#register}), or ends it if
   * it closed meanwhile.
   */
  private void connected() {
    if (channel.isActive()) {
      recovery.register(this);
    } else {
      opened();
    }
  }

  /**
   * On the I/O thread, by the recovery link while registering: writes the first message the client
   * reads; the frame's reference passes to this method.
   */
  void writeFirst(ByteBuf frame) {
    writer.reply(frame);
  }

  /**
   * Any thread, by the recovery link while registering: writes, on the I/O thread and behind what
   * was handed to it before, the first message and the events the client missed, then opens the
   * connection. The frames' references pass to this method.
   */
  void openAfter(ByteBuf first, List<ByteBuf> missed) {
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                writer.reply(first);
                for (ByteBuf f : missed) {
                  writer.event(f);
                  f.release();
                }
                opened();
              });
    } catch (RejectedExecutionException e) {
      first.release();
      missed.forEach(ByteBuf::release);
    }
  }

  /** On the I/O thread, once registered: opens the connection, or ends it if it closed. */
  void opened() {
    if (channel.isActive()) {
      lifecycle = OPEN;
      Liveness.announce(channel, writer);
      log.debug(
          "Client {} {} from {}",
          clientId,
          recovery.resumed() ? "resumed its session" : "connected",
          channel.remoteAddress());
      if (app().observers().enabled) {
        app().observers().onConnectionOpened(clientId);
      }
    } else {
      lifecycle = CLOSED;
      rooms.leaveAll(); // rooms a handler factory joined, or a resumed session's
      recovery.closed(1006); // closed before it opened: as if by the network
      inbound.disconnect();
    }
    inbound.open();
  }

  private void connectFailed(Throwable t) {
    if (t instanceof ZocketException z) {
      log.debug("onConnect rejected client {}: {}", clientId, LogSafe.text(z.toString()));
    } else {
      onConnectFailures.error("onConnect failed for client {}", clientId, t);
    }
    recovery.failed();
    Runnable end =
        () -> {
          lifecycle = CLOSED;
          rooms.leaveAll();
          rooms.forget();
          inbound.drop(DropReason.CLOSING); // messages sent before onConnect failed
          terminate();
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

  /**
   * On the I/O thread, when the channel has closed.
   *
   * @param closeCode the close code sent or received, 1006 without a close frame
   */
  void closed(int closeCode) {
    streams.closeAll();
    if (lifecycle != OPEN) {
      return; // connecting: connected() or connectFailed() ends it
    }
    lifecycle = CLOSED;
    if (app().observers().enabled) {
      app().observers().onConnectionClosed(clientId, closeCode);
    }
    rooms.leaveAll();
    recovery.closed(closeCode);
    inbound.disconnect();
  }

  /**
   * On the executor, after every message received was handled: the connection's end, unless its
   * session is kept for the client to resume.
   */
  void disconnected() {
    if (recovery.park(this, state().closing())) {
      terminate();
      return;
    }
    try {
      app().onDisconnect().accept(this);
    } catch (Throwable t) {
      onDisconnectFailures.error("onDisconnect failed for client {}", clientId, t);
    } finally {
      forget();
      terminate();
      log.debug("Client {} disconnected", clientId);
    }
  }

  /** Joins the rooms of a resumed session (see {@link ConnectionRooms#restore}). */
  void restoreRooms(Set<String> sessionRooms) {
    rooms.restore(sessionRooms);
  }

  /** Forgets the rooms and attributes, once {@code onDisconnect} has seen them. */
  void forget() {
    rooms.forget();
    clearAttributes();
  }

  /**
   * The handler executor refused this connection's work: its messages are dropped and it ends
   * without {@code onDisconnect}. On the thread that tried to hand the work over.
   */
  void executorRejected() {
    rejections.warn("Handler executor rejected work of client {}; dropping its queue", clientId);
    inbound.drop(DropReason.INTERNAL_ERROR);
    terminate();
  }

  // ------------------------------------------------------------------ inbound

  /** On the I/O thread: handles a decoded message now or queues it. */
  void receive(Dispatcher.Inbound in) {
    if (in.streamControl() != null && streams.control(in)) {
      return; // a stream's credit or cancel: applied now, whatever waits in the queue
    }
    String rpcId = in.rpcId();
    if (rpcId != null && IN_FLIGHT.incrementAndGet(this) > shared.maxCallsInFlight()) {
      IN_FLIGHT.decrementAndGet(this);
      reject(in, "Too many calls in flight");
      return;
    }
    if (in.startsStream()) {
      ZocketException refused = streams.reserve(in);
      if (refused != null) {
        log.debug("Client {}: {}", clientId, refused.getMessage());
        app().dispatcher().refuse(this, in, refused); // the answer settles the call, see send
        return;
      }
    }
    inbound.handle(in);
  }

  /** On the I/O thread: answers a call with {@code RATE_LIMITED} without handling it. */
  void reject(Dispatcher.Inbound call, String message) {
    log.debug("Client {}: {}", clientId, message);
    IN_FLIGHT.incrementAndGet(this); // the answer settles it, as any answer to a call (see send)
    app().dispatcher().refuse(this, call, new ZocketException(ErrorCodes.RATE_LIMITED, message));
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops reading new messages, for a graceful shutdown. Any thread.
   *
   * @return completes once no more messages are read
   */
  Future<?> drain() {
    try {
      return channel.eventLoop().submit(() -> writer.frames().pause(ReadPauses.DRAINING));
    } catch (RejectedExecutionException e) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null); // nothing is read any more
    }
  }

  /** Whether no message of this connection is waiting, running or owed an answer. */
  boolean idle() {
    return lifecycle == CLOSED || (lifecycle == OPEN && inbound.idle() && inFlight == 0);
  }

  /** Closes with 1001 for a shutdown, once. Any thread. */
  void goAway() {
    if (!wentAway) {
      wentAway = true;
      closeWith(1001, "Server is shutting down");
    }
  }

  // ------------------------------------------------------------------ outbound

  /**
   * Answers a call: the reply is encoded on the calling thread straight into a WebSocket frame and
   * written behind the events already handed over (see {@link FrameWriter#reply}), under the same
   * flow control and memory budgets. Never dropped while the connection is open: a client that is
   * behind is not read from, which bounds what it can make the server answer, and one that stays
   * behind is cut. A reply to a connection whose socket has closed is not encoded (no one can read
   * it, and a closed slow consumer's calls still queued would make garbage of their size). The
   * reply counts against the server-wide budget from the moment it is encoded (see {@link
   * FrameWriter#reply(Outgoing)}). Any thread.
   *
   * @throws ZocketException with code {@code LIMIT_EXCEEDED} when the reply was refused for the
   *     budget; nothing was queued, and the call is still owed an answer
   */
  @Override
  public void send(Outgoing reply) {
    if (!channel.isActive()) {
      IN_FLIGHT.decrementAndGet(this);
      return;
    }
    writer.reply(reply); // may throw: still owed an answer
    IN_FLIGHT.decrementAndGet(this);
  }

  /**
   * Starts a stream (see {@link ServerStreams}): answers its start with an empty reply, which
   * settles it as a call in flight (an open stream counts against the stream limit instead), then
   * subscribes to the publisher. On the handler's thread.
   */
  @Override
  public void openStream(String rpcId, RouteDescriptor route, Flow.Publisher<?> publisher) {
    streams.open(
        rpcId,
        route,
        publisher,
        () ->
            send(
                out ->
                    app()
                        .dispatcher()
                        .writer()
                        .writeEnvelope(out, Protocol.REPLY_TYPE, null, false, rpcId)));
  }

  /** A stream's start was answered with an error: forgets its place. Any thread. */
  @Override
  public void streamRefused(String rpcId) {
    streams.refused(rpcId);
  }

  /** How many streams of this connection are open or starting. Any thread. */
  int openStreams() {
    return streams.open();
  }

  /**
   * Writes an event, shared by all its recipients as one complete WebSocket frame; the caller keeps
   * its reference. On the I/O thread (see {@link FrameWriter#event}).
   */
  void write(ByteBuf shared) {
    writer.event(shared);
  }

  /**
   * Writes an event as {@link #write}, but one of the frame's references passes to this method (see
   * {@link FrameWriter#eventOwned}). On the I/O thread.
   */
  void writeOwned(ByteBuf shared) {
    writer.eventOwned(shared);
  }

  /**
   * Writes events a {@link RoomFrames} joined, as {@link FrameWriter#eventsJoined}; returns whether
   * it took one of {@code joined}'s references. On the I/O thread.
   */
  boolean writeJoined(ByteBuf joined, ByteBuf[] events, int n) {
    return writer.eventsJoined(joined, events, n);
  }

  /**
   * Writes an acknowledged event to this connection alone, as a reply is written (see {@link
   * #send}): never dropped by a lossy slow-consumer policy, and not kept for recovery. Any thread.
   *
   * @throws ZocketException with code {@code LIMIT_EXCEEDED} when refused for the budget
   */
  void writeAcked(Outgoing event) {
    writer.reply(event);
  }

  /** The connection's channel, for the extensions kept as its attributes. */
  Channel channel() {
    return channel;
  }

  /** Closes the connection with a status, completing the closing handshake. Any thread. */
  void closeWith(int status, String reason) {
    onIoThread(() -> writer.frames().close(status, reason));
  }

  /**
   * Closes the connection with a status without waiting for the peer's answer (see {@link
   * FrameHandler#closeAtOnce}). Any thread.
   */
  void closeAtOnce(int status, String reason) {
    onIoThread(() -> writer.frames().closeAtOnce(status, reason));
  }

  /** Runs a closing step on the I/O thread, now if on it; closes the channel if it is stopping. */
  private void onIoThread(Runnable close) {
    EventLoop loop = channel.eventLoop();
    if (loop.inEventLoop()) {
      close.run();
      return;
    }
    try {
      loop.execute(close);
    } catch (RejectedExecutionException e) {
      channel.close(); // the I/O threads are stopping
    }
  }

  // ------------------------------------------------------------------ Context

  @Override
  public RoomSet rooms() {
    return rooms;
  }

  @Override
  public <E> Emitter<E> emit(Class<E> events) {
    return app().emitters().emitter(events);
  }

  /** The server's cluster view, for {@link Cluster#of}. */
  Cluster cluster() {
    return app().cluster();
  }

  @Override
  public void close() {
    closeWith(1000, "");
  }
}
