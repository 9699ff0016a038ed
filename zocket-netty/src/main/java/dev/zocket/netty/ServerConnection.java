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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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

  private static final int CONNECTING = 0;
  private static final int OPEN = 1;
  private static final int CLOSED = 2;

  private static final AtomicIntegerFieldUpdater<ServerConnection> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ServerConnection.class, "inFlight");

  private final ServerConfig config;
  private final Channel channel;
  private final FrameHandler frames;
  private final FrameWriter writer;
  private final String clientId;
  private final Object headers;
  private final ConnectionRooms rooms;
  private final InboundQueue inbound;

  /** Created by the first {@link #attribute(String, Object)}. */
  private volatile ConcurrentHashMap<String, Object> attributes;

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
      Object headers) {
    this.config = config;
    this.channel = channel;
    this.frames = frames;
    this.writer = writer;
    this.clientId = clientId;
    this.headers = headers;
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
      if (config.observers.enabled) {
        config.observers.onConnectionOpened(clientId);
      }
    } else {
      state = CLOSED;
      rooms.leaveAll(); // rooms a handler factory joined
      inbound.disconnect();
    }
    inbound.open();
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
    if (config.observers.enabled) {
      config.observers.onConnectionClosed(clientId, closeCode);
    }
    rooms.leaveAll();
    inbound.disconnect();
  }

  /** On the executor, after every message received was handled: the connection's end. */
  void disconnected() {
    try {
      config.onDisconnect.accept(this);
    } catch (Throwable t) {
      log.error("onDisconnect failed for client {}", clientId, t);
    } finally {
      rooms.forget();
      attributes = null;
      config.state.live.remove(this);
      terminated.complete(null);
      log.debug("Client {} disconnected", clientId);
    }
  }

  /**
   * The handler executor refused this connection's work: its messages are dropped and it ends
   * without {@code onDisconnect}. On the thread that tried to hand the work over.
   */
  void executorRejected() {
    log.warn("Handler executor rejected work of client {}; dropping its queue", clientId);
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
}
