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
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.spi.RecoveryStore;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded WebSocket connection: its lifecycle, the {@link Context} its handlers see, its
 * handlers, and the answers it owes. Its messages run through its {@link InboundQueue}, one at a
 * time on the handler executor; its rooms are a {@link ConnectionRooms}.
 *
 * <p>Lifecycle: connecting until {@code onConnect} has completed on the executor and the I/O thread
 * has opened it (or ended it, if the channel closed meanwhile); open until the channel closes; then
 * closed, and {@code onDisconnect} runs on the executor behind every message already received. A
 * connection whose {@code onConnect} fails ends without {@code onDisconnect}.
 *
 * <p>Threading: the lifecycle's steps run on the connection's I/O thread, except {@code onConnect}
 * and {@code onDisconnect} on the executor; replies, the {@link Context} and {@link #closeWith} may
 * be used from any thread.
 */
final class ServerConnection implements Connection, Context<Object> {
  private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

  /**
   * Lines every connection can cause, so clients that connect in a loop can repeat them: the
   * application's callbacks failed, the executor refused work. Also used by {@link Sessions}.
   */
  private static final RateLimitedLog onConnectFailures = new RateLimitedLog(log);

  static final RateLimitedLog onDisconnectFailures = new RateLimitedLog(log);

  private static final RateLimitedLog rejections = new RateLimitedLog(log);

  private static final int CONNECTING = 0;
  private static final int OPEN = 1;
  private static final int CLOSED = 2;

  private static final AtomicIntegerFieldUpdater<ServerConnection> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "inFlight");

  private final ServerConfig config;
  private final Channel channel;
  private final FrameHandler frames;
  private final FrameWriter writer;
  private final Object headers;

  /**
   * Set before the connection is registered: a new id, or the id of the session it resumes (or a
   * new one again, if that session could not be resumed).
   */
  private volatile String clientId;

  /** What the client asked of recovery; its session is dropped from it once it cannot resume. */
  private volatile Resume resume;

  /** The session, under connection-state recovery; null without. */
  private volatile Session session;

  /** Whether the session is kept when the connection ends (set when the channel closes). */
  private volatile boolean keepSession;

  /**
   * Under recovery, once the connection left the registry: the position of the last event that
   * could have been delivered to it (null if none was since this node started).
   */
  private volatile String lastPosition;

  /** Whether a newer connection of the same session closed this one. */
  private volatile boolean handedOver;

  /** Whether this connection resumed a session. */
  private volatile boolean recovered;

  private final ConnectionRooms rooms;
  private final InboundQueue inbound;

  private final Attributes attributes = new Attributes();

  /** Calls received and not answered yet: one per inbound message with an rpcId. */
  private volatile int inFlight;

  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private volatile int state = CONNECTING;

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
      Object headers,
      Resume resume) {
    this.config = config;
    this.channel = channel;
    this.frames = frames;
    this.writer = writer;
    this.clientId = clientId;
    this.headers = headers;
    this.resume = resume;
    this.rooms = new ConnectionRooms(config, this);
    this.inbound = new InboundQueue(config, this, frames);
  }

  /** The connection's I/O thread. */
  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** Whether the connection has closed (or ended while connecting). Any thread. */
  boolean isClosed() {
    return state == CLOSED;
  }

  /** Completes once the connection has ended and its {@code onDisconnect} (if any) has run. */
  CompletableFuture<Void> terminated() {
    return terminated;
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Runs {@code onConnect} on the executor, or first claims the session the client resumes. Called
   * on the I/O thread after the upgrade.
   */
  void start() {
    Resume r = resume;
    if (config.sessions != null && r.token() != null) {
      config
          .sessions
          .claim(r.token(), r.principal(), this)
          .whenComplete(
              (s, t) -> {
                if (s != null) {
                  session = s;
                  clientId = s.clientId;
                  execute(this::restore);
                } else {
                  resume = r.fresh();
                  execute(this::connect);
                }
              });
      return;
    }
    execute(this::connect);
  }

  private void execute(Runnable step) {
    try {
      config.executor.execute(step);
    } catch (RejectedExecutionException e) {
      connectFailed(e);
    }
  }

  /** On the executor: takes the resumed session's user context, attributes and new handlers. */
  private void restore() {
    Session s = session;
    user = s.user;
    attributes.restore(s.attributes);
    createHandlersThenRegister();
  }

  /** On the executor, once the user context is known: the handlers, then the registration. */
  private void createHandlersThenRegister() {
    try {
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
          user = u;
          createHandlersThenRegister();
        });
  }

  /**
   * On the I/O thread: registers the connection, or ends it if it closed meanwhile. Under recovery
   * the registration is the recovery store's step (see {@link #resumed}); a client that asked for
   * recovery of a server without it is told so first.
   */
  private void connected() {
    if (!channel.isActive()) {
      keepSession = session != null;
      opened();
      return;
    }
    Resume r = resume;
    if (config.sessions != null && r.asked()) {
      Session s = session;
      config.sessions.store().resume(s == null ? null : r.position(), this::resumed);
      return;
    }
    config.registry.add(this);
    if (r.asked()) {
      writer.reply(sessionFrame(null, null, false));
    }
    opened();
  }

  /**
   * In the recovery store's order of deliveries: registers the connection and writes, before any
   * later event, the session message and the events the client missed. When those are no longer
   * kept, the session cannot be resumed: it ends and the connection starts afresh.
   */
  private void resumed(List<RecoveryStore.Event> missed) {
    Session s = session;
    List<RecoveryStore.Event> replay = missed;
    if (s != null && missed != null) {
      replay = config.sessions.replay(s, resume.position(), missed);
    }
    if (s != null && replay == null) {
      log.debug("Client {} cannot resume its session: the events it missed are gone", clientId);
      config.sessions.abandon(s);
      session = null;
      attributes.clear();
      rooms.leaveAll(); // rooms a handler factory joined: the connection leaves under its old id
      rooms.forget();
      clientId = config.newClientId();
      resume = resume.fresh();
      execute(this::connect);
      return;
    }
    String position;
    if (s == null) {
      position = config.sessions.store().position();
      s = config.sessions.start(this, resume.principal(), position);
      session = s;
    } else {
      synchronized (s) {
        s.previous = null; // resumed: its earlier connection has ended for good
      }
      rooms.restore(s.rooms);
      recovered = true;
      position = resume.position();
    }
    config.registry.add(this);
    ByteBuf first = sessionFrame(s.token, position, recovered);
    List<ByteBuf> frames = new ArrayList<>(replay.size());
    for (RecoveryStore.Event e : replay) {
      frames.add(TextFrames.of(channel.alloc(), Protocol.withPosition(e.text(), e.position())));
    }
    try {
      channel
          .eventLoop()
          .execute(
              () -> {
                writer.reply(first);
                for (ByteBuf f : frames) {
                  writer.event(f);
                  f.release();
                }
                opened();
              });
    } catch (RejectedExecutionException e) {
      first.release();
      frames.forEach(ByteBuf::release);
    }
  }

  /** The {@code __session} message: always the first a client that asked for recovery reads. */
  private ByteBuf sessionFrame(String token, String position, boolean recovered) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put(Protocol.SESSION, token);
    payload.put(Protocol.POSITION, position);
    payload.put(Protocol.RECOVERED, recovered);
    return TextFrames.of(
        channel.alloc(), config.codec.writer().encodeEvent(Protocol.SESSION_TYPE, payload, true));
  }

  /** On the I/O thread, once registered: opens the connection, or ends it if it closed. */
  private void opened() {
    if (channel.isActive()) {
      state = OPEN;
      Liveness.announce(channel, writer);
      log.debug(
          "Client {} {} from {}",
          clientId,
          recovered ? "resumed its session" : "connected",
          channel.remoteAddress());
      if (config.observers.enabled) {
        config.observers.onConnectionOpened(clientId);
      }
    } else {
      state = CLOSED;
      keepSession = session != null;
      rooms.leaveAll(); // rooms a handler factory joined, or a resumed session's
      lastPosition = config.registry.lastStarted();
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
    Session s = session;
    if (s != null) {
      session = null;
      config.sessions.abandon(s); // a resumed session that could not be restored ends here
    }
    Runnable end =
        () -> {
          state = CLOSED;
          rooms.leaveAll();
          rooms.forget();
          inbound.drop(DropReason.CLOSING); // messages sent before onConnect failed
          config.state.live.remove(this);
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

  /**
   * On the I/O thread, when the channel has closed.
   *
   * @param closeCode the close code sent or received, 1006 without a close frame
   */
  void closed(int closeCode) {
    if (state != OPEN) {
      return; // connecting: connected() or connectFailed() ends it
    }
    state = CLOSED;
    keepSession = session != null && (handedOver || Sessions.keeps(closeCode));
    if (config.observers.enabled) {
      config.observers.onConnectionClosed(clientId, closeCode);
    }
    rooms.leaveAll();
    lastPosition = config.registry.lastStarted(); // no later event can have reached it
    inbound.disconnect();
  }

  /**
   * On the executor, after every message received was handled: the connection's end, and its
   * session's unless the session is kept for the client to resume.
   */
  void disconnected() {
    Session s = session;
    if (s != null
        && keepSession
        && (!config.state.closing() || config.sessions.keepsOnShutdown())) {
      if (config.sessions.park(s, this, attributes.snapshot())) {
        config.state.live.remove(this);
        terminated.complete(null);
        return;
      }
    } else if (s != null) {
      config.sessions.end(s);
    }
    try {
      config.onDisconnect.accept(this);
    } catch (Throwable t) {
      onDisconnectFailures.error("onDisconnect failed for client {}", clientId, t);
    } finally {
      forget();
      config.state.live.remove(this);
      terminated.complete(null);
      log.debug("Client {} disconnected", clientId);
    }
  }

  /** Forgets the rooms and attributes, once {@code onDisconnect} has seen them. */
  void forget() {
    rooms.forget();
    attributes.clear();
  }

  /**
   * A newer connection resumes this one's session: closes this one at once with {@link
   * Protocol#TAKEN_OVER}, without waiting for the peer's answer (its client has most likely gone;
   * one still there reads the code and does not reconnect), keeping the session for the newer one.
   * Any thread.
   */
  void handOver() {
    handedOver = true;
    onIoThread(
        () -> frames.closeAtOnce(Protocol.TAKEN_OVER, "Session resumed by another connection"));
  }

  /**
   * Under recovery, once closed: the position of the last event that could have been delivered to
   * this connection, or null.
   */
  String lastPosition() {
    return lastPosition;
  }

  /** The session's rooms over time, while the connection has a session; else null. */
  SessionRooms history() {
    Session s = session;
    return s == null ? null : s.history;
  }

  /**
   * The handler executor refused this connection's work: its messages are dropped and it ends
   * without {@code onDisconnect}. On the thread that tried to hand the work over.
   */
  void executorRejected() {
    rejections.warn("Handler executor rejected work of client {}; dropping its queue", clientId);
    inbound.drop(DropReason.INTERNAL_ERROR);
    config.state.live.remove(this);
    terminated.complete(null);
  }

  // ------------------------------------------------------------------ inbound

  /** On the I/O thread: handles a decoded message now or queues it. */
  void receive(Dispatcher.Inbound in) {
    String rpcId = in.rpcId();
    if (rpcId != null && IN_FLIGHT.incrementAndGet(this) > config.hardening.maxCallsInFlight()) {
      IN_FLIGHT.decrementAndGet(this);
      reject(in, "Too many calls in flight");
      return;
    }
    inbound.handle(in);
  }

  /** On the I/O thread: answers a call with {@code RATE_LIMITED} without handling it. */
  void reject(Dispatcher.Inbound call, String message) {
    log.debug("Client {}: {}", clientId, message);
    IN_FLIGHT.incrementAndGet(this); // the answer settles it, as any answer to a call (see send)
    config.dispatcher.refuse(this, call, new ZocketException(ErrorCodes.RATE_LIMITED, message));
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops reading new messages, for a graceful shutdown. Any thread.
   *
   * @return completes once no more messages are read
   */
  Future<?> drain() {
    try {
      return channel.eventLoop().submit(() -> frames.reads().pause(ReadPauses.DRAINING));
    } catch (RejectedExecutionException e) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null); // nothing is read any more
    }
  }

  /** Whether no message of this connection is waiting, running or owed an answer. */
  boolean idle() {
    return state == CLOSED || (state == OPEN && inbound.idle() && inFlight == 0);
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
   * Writes an event, shared by all its recipients as one complete WebSocket frame; the caller keeps
   * its reference. On the I/O thread (see {@link FrameWriter#event}).
   */
  void write(ByteBuf shared) {
    writer.event(shared);
  }

  /** Closes the connection with a status, completing the closing handshake. Any thread. */
  void closeWith(int status, String reason) {
    onIoThread(() -> frames.close(status, reason));
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
    return attributes.get(name);
  }

  @Override
  public void attribute(String name, Object value) {
    attributes.set(name, value);
  }

  @Override
  public void close() {
    closeWith(1000, "");
  }

  @Override
  public String toString() {
    return "Connection(" + clientId + ")";
  }
}
