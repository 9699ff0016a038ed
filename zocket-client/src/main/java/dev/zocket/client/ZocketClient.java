package dev.zocket.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.Contract;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.MethodInvoker;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.Proxies;
import dev.zocket.internal.RouteDescriptor;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Zocket client: typed proxies over one WebSocket connection to a Zocket server (or any server
 * speaking the v1 protocol), with event listeners, call timeouts and automatic reconnect.
 *
 * <pre>{@code
 * ZocketClient client = ZocketClient.builder(URI.create("ws://localhost:3000"))
 *     .header("user-name", "Alice")
 *     .on(RoomEvents.class, new RoomEvents() {
 *       @Override public void onMessage(Message m) { log.info("{}", m.content()); }
 *     })
 *     .onOpen(c -> c.proxy(Rooms.class).join(new JoinRoom("general")))
 *     .connect();
 * Rooms rooms = client.proxy(Rooms.class);
 * rooms.message(new Post("general", "hello"));                 // fire and forget
 * rooms.members(new RoomId("general")).thenAccept(names -> log.info("{}", names)); // a call
 * client.close();
 * }</pre>
 *
 * <h2>States</h2>
 *
 * {@link State#CONNECTING} until the first handshake completes, then {@link State#OPEN}. When an
 * open connection drops, the client is {@link State#RECONNECTING} while it waits and retries (see
 * {@link ReconnectPolicy}), and {@code OPEN} again once a retry succeeds. {@link State#CLOSED} is
 * terminal: reached by {@link #close()}, by a failed first connect, by a drop with reconnect
 * disabled, by running out of attempts, or by a server that rejects the handshake. A closed client
 * cannot be reopened; build a new one.
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>Proxy methods may be called from any thread. Sends and asynchronous calls return
 *       immediately; a call returning a plain value blocks its caller until the reply or the
 *       timeout, and throws {@link IllegalStateException} if called on the client's I/O thread (for
 *       example inside a future's {@code thenAccept}), where it could never be answered.
 *   <li>Event listeners and {@code onOpen}, {@code onClose} and {@code onError} all run on one
 *       callback thread per client, one at a time, in the order the connection produced them; so
 *       events of a connection are delivered in arrival order. They may block, and may make calls
 *       of any kind; while one blocks, later callbacks wait. A callback that throws is logged at
 *       warn and changes nothing else.
 *   <li>Call futures complete on the client's I/O thread: stages attached with {@code thenAccept}
 *       and the like run there unless they are {@code ...Async}, and must not block.
 * </ul>
 *
 * <h2>Callbacks</h2>
 *
 * {@code onOpen} runs after every successful handshake (the first one before {@link
 * Builder#connect()} returns, then after every reconnect), so it is the place to join rooms. {@code
 * onClose} runs once for every connection that was open, with the server's close code and reason,
 * {@code 1000} after {@link #close()}, or {@code 1006} when the connection was lost (the reason
 * says why, for example the idle timeout). {@code onError} reports failed reconnect attempts,
 * giving up, and events dropped because their payload did not bind or validate. The last callback a
 * client ever makes is {@code onClose} when it closes from {@code OPEN} for good, or {@code
 * onError} when it gives up reconnecting; after it the callback thread ends.
 *
 * <h2>Heartbeats</h2>
 *
 * The client answers the server's pings. When nothing at all arrives for half the {@linkplain
 * Builder#idleTimeout idle timeout} it sends a ping of its own; when nothing arrives for the other
 * half either, it declares the server dead and closes the connection (then reconnects as for any
 * drop).
 */
public final class ZocketClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  /** The protocol version sent as the {@code x-zocket-version} query parameter. */
  public static final String PROTOCOL_VERSION = Protocol.VERSION;

  /** The life cycle of a client; see the class documentation. */
  public enum State {
    /** The first connection is being made; {@link Builder#connect()} has not returned. */
    CONNECTING,
    /** A connection is open: sends and calls go out at once. */
    OPEN,
    /** The connection dropped; the client is waiting to retry or retrying. */
    RECONNECTING,
    /** Terminal: the client will never connect again. */
    CLOSED
  }

  /** Told when an open connection closes. */
  @FunctionalInterface
  public interface CloseListener {
    /**
     * Runs on the client's callback thread, once per connection that was open.
     *
     * @param code the WebSocket close code: the server's, {@code 1000} after {@link #close()},
     *     {@code 1005} when the server's close frame had none, {@code 1006} when the connection was
     *     lost without a close frame
     * @param reason the server's reason, or what happened; never null, possibly empty
     */
    void onClose(int code, String reason);
  }

  private final URI uri;
  private final URI connectUri;

  /** Whether the server is in this JVM ({@code local://name}), reached over Netty's local transport. */
  private final boolean local;
  private final String host;
  private final int port;
  private final SslContext ssl;
  private final JsonCodec codec;
  private final PayloadValidator validator;
  private final MessageReader reader;
  private final boolean validate;
  private final long callTimeoutMillis;
  private final long connectTimeoutMillis;
  private final long idleMillis;
  private final ReconnectPolicy reconnect;
  private final boolean retryFirstConnect;
  private final WhileDisconnected whileDisconnected;
  private final Consumer<ZocketClient> onOpen;
  private final CloseListener onClose;
  private final Consumer<Throwable> onError;
  private final Map<String, EventRoute> events;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Bootstrap bootstrap;
  private final ExecutorService callbacks;
  private final AtomicLong rpcIds = new AtomicLong();
  private final ConcurrentHashMap<Class<?>, Object> proxies = new ConcurrentHashMap<>();
  private final CompletableFuture<ZocketClient> firstOpen = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private final Object lock = new Object();
  private State state = State.CONNECTING; // guarded by lock
  private Channel attemptChannel; // guarded by lock: the channel of the attempt under way
  private ScheduledFuture<?> retry; // guarded by lock
  private int attempts; // guarded by lock: failed attempts since the last open connection
  private boolean finished; // guarded by lock
  private final ArrayDeque<byte[]> outbox = new ArrayDeque<>(); // guarded by lock
  private volatile ClientHandler current;
  private volatile Thread callbackThread;

  private ZocketClient(Builder b) {
    this.uri = b.uri;
    this.connectUri = withQuery(b.uri, b.headers);
    boolean secure = "wss".equals(scheme(b.uri));
    this.local = "local".equals(scheme(b.uri));
    this.host = b.uri.getHost();
    this.port = b.uri.getPort() != -1 ? b.uri.getPort() : secure ? 443 : 80;
    this.ssl = secure ? (b.sslContext != null ? b.sslContext : defaultSsl()) : null;
    ObjectMapper mapper =
        JsonMappers.configure(
            b.objectMapper != null ? b.objectMapper : JsonMapper.builder().build(),
            JsonLimits.DEFAULTS);
    this.codec = new JsonCodec(mapper);
    this.validator = new PayloadValidator(mapper);
    this.reader = new MessageReader(codec, validator, b.validatePayloads);
    this.validate = b.validatePayloads;
    this.callTimeoutMillis = b.callTimeout.toMillis();
    this.connectTimeoutMillis = b.connectTimeout.toMillis();
    this.idleMillis = b.idleTimeout.toMillis();
    this.reconnect = b.reconnect;
    this.retryFirstConnect = b.retryFirstConnect;
    this.whileDisconnected = b.whileDisconnected;
    this.onOpen = b.onOpen;
    this.onClose = b.onClose;
    this.onError = b.onError;
    Map<String, EventRoute> ev = new HashMap<>();
    b.events.forEach(
        (route, r) -> {
          codec.checkMappable(r.route());
          ev.put(route, r.copy());
        });
    this.events = Map.copyOf(ev);

    // In-process clients share one group that lives as long as the JVM: the server's side of a
    // local channel runs tasks on the client's event loop, even after the client closed.
    this.ownsGroup = b.eventLoopGroup == null && !local;
    this.group =
        b.eventLoopGroup != null
            ? b.eventLoopGroup
            : local
                ? InProcessGroup.GROUP
                : new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("zocket-client-io", true), NioIoHandler.newFactory());
    this.callbacks =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "zocket-client-callbacks");
              t.setDaemon(true);
              callbackThread = t;
              return t;
            });
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            // Over the in-process transport the handshake is the same, addressed to ws://name.
            .webSocketUri(local ? URI.create("ws" + connectUri.toString().substring(5)) : connectUri)
            .version(WebSocketVersion.V13)
            .maxFramePayloadLength(b.maxMessageSize)
            .handleCloseFrames(false)
            .sendCloseFrame(null)
            .handshakeTimeoutMillis(connectTimeoutMillis)
            .build();
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .handler(
                new ClientInitializer(this, config, ssl, host, port, idleMillis, b.maxMessageSize));
    if (local) {
      bootstrap.channel(LocalChannel.class);
    } else {
      bootstrap
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeoutMillis)
          .option(ChannelOption.TCP_NODELAY, true);
    }
  }

  /**
   * A builder for a client of the server at {@code uri}.
   *
   * @param uri {@code ws://host[:port][/path][?query]}, {@code wss://...}, or {@code
   *     local://name[/path][?query]} for a server in this JVM serving {@code inProcess} (its {@code
   *     uri()}): the same protocol over Netty's in-JVM local transport, without a socket
   */
  public static Builder builder(URI uri) {
    return new Builder(uri);
  }

  /**
   * The proxy of a client-to-server contract, created once per interface and cached. A {@code void}
   * method sends a message; a method returning {@code CompletableFuture<T>} or {@code
   * CompletionStage<T>} sends a call and returns at once; a method returning {@code T} sends a call
   * and blocks until the reply. See the class documentation for threads.
   *
   * <p>With {@linkplain Builder#validatePayloads validation} on, a payload that breaks its
   * constraints makes the method throw {@link InvalidPayloadException} at once and nothing is sent.
   * A call fails with {@link ZocketException}: the server's error code for an error reply, {@code
   * TIMEOUT}, or {@code DISCONNECTED} when the connection is or goes down before the reply. The
   * proxy answers {@code equals}, {@code hashCode} and {@code toString} itself and runs {@code
   * default} methods as written.
   *
   * @throws dev.zocket.ContractException if the interface breaks a contract rule
   */
  public <T> T proxy(Class<T> contract) {
    Objects.requireNonNull(contract, "contract == null");
    Object proxy = proxies.get(contract);
    if (proxy == null) {
      proxy = proxies.computeIfAbsent(contract, this::newProxy);
    }
    return contract.cast(proxy);
  }

  private Object newProxy(Class<?> type) {
    Contract contract = Contracts.of(type);
    codec.checkMappable(contract);
    InvocationHandler handler = new Invoker(contract);
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /** The state now; it may change at any moment. Any thread. */
  public State state() {
    synchronized (lock) {
      return state;
    }
  }

  /** The URI the client was built with (without the header query parameters). */
  public URI uri() {
    return uri;
  }

  /**
   * Closes the client for good: stops reconnecting, closes the connection with code 1000 (pending
   * calls fail with {@code DISCONNECTED}), discards buffered sends, and releases the client's
   * threads. {@code onClose} runs if a connection was open, as the last callback. Blocks until the
   * callbacks ran and the threads are released (at most a few seconds), except when called from a
   * callback or the I/O thread, where it returns at once. Idempotent.
   */
  @Override
  public void close() {
    ClientHandler open;
    Channel attempt;
    synchronized (lock) {
      if (state != State.CLOSED) {
        state = State.CLOSED;
        if (retry != null) {
          retry.cancel(false);
        }
        outbox.clear();
      }
      open = current;
      attempt = attemptChannel;
    }
    if (open != null) {
      open.close();
    } else if (attempt != null) {
      attempt.close();
    } else {
      finish();
    }
    Thread self = Thread.currentThread();
    if (self == callbackThread || onIoThread()) {
      return;
    }
    try {
      terminated.get(5, TimeUnit.SECONDS);
      if (ownsGroup) {
        group.terminationFuture().await(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("The client for {} did not shut down in time", uri, e);
    }
  }

  @Override
  public String toString() {
    return "ZocketClient(" + uri + ", " + state() + ")";
  }

  // ------------------------------------------------------------------ connection life cycle

  JsonCodec codec() {
    return codec;
  }

  private void start() {
    Channel channel;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      ChannelFuture f =
          local ? bootstrap.connect(new LocalAddress(host)) : bootstrap.connect(host, port);
      channel = f.channel();
      attemptChannel = channel;
      f.addListener(
          done -> {
            if (!done.isSuccess()) {
              attemptFailed(channel, done.cause());
            }
          });
    }
  }

  /** The handshake of a connection completed. Event loop. */
  void opened(ClientHandler handler) {
    synchronized (lock) {
      if (attemptChannel == handler.channel()) {
        attemptChannel = null;
      }
      if (state == State.CLOSED) {
        handler.close();
        return;
      }
      state = State.OPEN;
      attempts = 0;
      current = handler;
    }
    log.debug("Connected to {}", uri);
    callback(
        () -> {
          try {
            if (onOpen != null) {
              onOpen.accept(this);
            }
          } catch (RuntimeException e) {
            log.warn("onOpen threw", e);
          }
          flushOutbox(handler);
          firstOpen.complete(this);
        });
  }

  private void flushOutbox(ClientHandler handler) {
    synchronized (lock) {
      if (current != handler) {
        return;
      }
      for (byte[] frame; (frame = outbox.poll()) != null; ) {
        handler.send(frame);
      }
    }
  }

  /** A connection ended, open or not. Event loop. */
  void closed(ClientHandler handler, boolean wasOpen, int code, String reason, Throwable failure) {
    if (!wasOpen) {
      attemptFailed(
          handler.channel(),
          failure != null
              ? failure
              : new ZocketException(
                  ErrorCodes.DISCONNECTED, "The connection closed during the WebSocket handshake"));
      return;
    }
    boolean retry;
    synchronized (lock) {
      if (current == handler) {
        current = null;
      }
      retry = state != State.CLOSED && reconnect.isEnabled();
      state = retry ? State.RECONNECTING : State.CLOSED;
    }
    log.info("Connection to {} closed: {} {}", uri, code, reason);
    callback(
        () -> {
          if (onClose != null) {
            onClose.onClose(code, reason);
          }
        });
    if (retry) {
      scheduleRetry();
    } else {
      finish();
    }
  }

  private void attemptFailed(Channel channel, Throwable cause) {
    ZocketException error = connectError(cause);
    boolean retry;
    synchronized (lock) {
      if (attemptChannel == channel) {
        attemptChannel = null;
      }
      boolean first = !firstOpen.isDone();
      if (state == State.CLOSED) {
        retry = false; // close() was called; finish() tells a waiting connect()
      } else if (first && !(retryFirstConnect && reconnect.isEnabled())) {
        state = State.CLOSED;
        firstOpen.completeExceptionally(error);
        retry = false;
      } else {
        retry = retryable(error);
        if (!retry) {
          state = State.CLOSED;
          if (first) {
            firstOpen.completeExceptionally(error);
          }
        }
        log.info(
            "{} {} failed: {}",
            first ? "Connecting to" : "Reconnecting to",
            uri,
            error.getMessage());
        callback(() -> onError(error));
      }
    }
    if (retry) {
      scheduleRetry();
    } else {
      finish();
    }
  }

  /** Whether a failed attempt is worth another: not a refused handshake, but a full server. */
  private static boolean retryable(ZocketException error) {
    return !(error instanceof HandshakeRejectedException rejected) || rejected.status() == 503;
  }

  private void scheduleRetry() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      attempts++;
      if (attempts > reconnect.maxAttempts()) {
        state = State.CLOSED;
        ZocketException gaveUp =
            new ZocketException(
                ErrorCodes.DISCONNECTED,
                "Gave up reconnecting to "
                    + uri
                    + " after "
                    + reconnect.maxAttempts()
                    + " attempts");
        log.warn(gaveUp.getMessage());
        firstOpen.completeExceptionally(gaveUp); // a connect() still waiting
        callback(() -> onError(gaveUp));
      } else {
        Duration delay = reconnect.delay(attempts, ThreadLocalRandom.current().nextDouble());
        log.info("Reconnecting to {} in {} ms (attempt {})", uri, delay.toMillis(), attempts);
        retry = group.schedule(this::start, delay.toNanos(), TimeUnit.NANOSECONDS);
        return;
      }
    }
    finish();
  }

  /** Ends the client once: fails the first connect if open, then releases the threads. */
  private void finish() {
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
      state = State.CLOSED;
      outbox.clear();
    }
    firstOpen.completeExceptionally(
        new ZocketException(ErrorCodes.DISCONNECTED, "The client was closed before it connected"));
    callbacks.execute(() -> terminated.complete(null));
    callbacks.shutdown();
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  private void onError(Throwable error) {
    if (onError != null) {
      onError.accept(error);
    }
  }

  /** Runs a user callback on the callback thread; an exception is logged. */
  private void callback(Runnable task) {
    try {
      callbacks.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("A callback of the client for {} threw", uri, e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.debug("Dropped a callback: the client is closed");
    }
  }

  private ZocketException connectError(Throwable cause) {
    if (cause instanceof ZocketException z) {
      return z;
    }
    return new ZocketException(
        ErrorCodes.DISCONNECTED,
        "Could not connect to " + uri + ": " + cause.getMessage(),
        List.of(),
        cause);
  }

  static ZocketException disconnected(RouteDescriptor route, Throwable cause) {
    return new ZocketException(
        ErrorCodes.DISCONNECTED,
        "The connection closed before the reply to " + route.route() + " arrived",
        List.of(),
        cause);
  }

  // ------------------------------------------------------------------ inbound

  /** One text or binary frame arrived. Event loop. */
  void received(ClientHandler handler, byte[] data, int offset, int length) {
    MessageReader.Message<EventRoute> message = reader.read(data, offset, length, events::get);
    if (message == null) {
      return;
    }
    if (message.isReply()) {
      handler.replied(message.rpcId(), route -> reader.reply(route, message));
      return;
    }
    EventRoute event = message.route();
    if (event == null) {
      log.debug("Ignored event {}: no listener", LogSafe.text(message.type()));
      return;
    }
    ZocketException refused = message.error();
    if (refused != null) {
      if (onError == null) {
        log.warn("Dropped event {}: {}", message.type(), refused.toString());
      } else {
        log.debug("Dropped event {}: {}", message.type(), refused.toString());
        callback(() -> onError(refused));
      }
      return;
    }
    Object payload = message.payload();
    callback(() -> event.deliver(payload));
  }

  // ------------------------------------------------------------------ outbound

  private void send(RouteDescriptor route, Object payload) {
    byte[] frame = codec.writer().encodeRequest(route.route(), payload, route.hasPayload(), null);
    ClientHandler handler = current;
    if (handler != null) {
      handler.send(frame);
      return;
    }
    synchronized (lock) {
      handler = current;
      if (handler != null) {
        handler.send(frame);
        return;
      }
      if (state == State.CLOSED) {
        throw new ZocketException(
            ErrorCodes.DISCONNECTED, "The client is closed; " + route.route() + " was not sent");
      }
      switch (whileDisconnected.mode()) {
        case FAIL ->
            throw new ZocketException(
                ErrorCodes.DISCONNECTED, "Not connected; " + route.route() + " was not sent");
        case DROP -> log.debug("Dropped {}: not connected", route.route());
        case BUFFER -> {
          if (outbox.size() >= whileDisconnected.max()) {
            if (whileDisconnected.overflow() == WhileDisconnected.Overflow.FAIL) {
              throw new ZocketException(
                  ErrorCodes.DISCONNECTED,
                  "Not connected and "
                      + outbox.size()
                      + " messages are waiting already; "
                      + route.route()
                      + " was not sent");
            }
            outbox.poll();
            log.warn("Dropped the oldest waiting message to keep {}", route.route());
          }
          outbox.add(frame);
        }
      }
    }
  }

  private CompletableFuture<Object> call(RouteDescriptor route, Object payload) {
    ClientHandler handler = current;
    if (handler == null) {
      return CompletableFuture.failedFuture(
          new ZocketException(
              ErrorCodes.DISCONNECTED,
              "Not connected; the call " + route.route() + " was not sent"));
    }
    String rpcId = Long.toString(rpcIds.incrementAndGet());
    byte[] frame = codec.writer().encodeRequest(route.route(), payload, route.hasPayload(), rpcId);
    long timeout = route.timeoutMillis() > 0 ? route.timeoutMillis() : callTimeoutMillis;
    return handler.call(rpcId, route, frame, timeout);
  }

  /** Routes proxy methods to sends and calls. */
  private final class Invoker implements InvocationHandler {
    private final Contract contract;

    Invoker(Contract contract) {
      this.contract = contract;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      RouteDescriptor route = contract.route(method);
      if (route == null) {
        return Proxies.local(proxy, method, args, this::toString);
      }
      Object payload = args == null ? null : args[0];
      if (validate && route.validated() && payload != null) {
        validator.validate(route.route(), payload);
      }
      switch (route.kind()) {
        case SEND -> {
          send(route, payload);
          return null;
        }
        case ASYNC_CALL -> {
          return call(route, payload);
        }
        default -> {
          if (onIoThread()) {
            throw new IllegalStateException(
                "Blocking call "
                    + route.methodName()
                    + " on the client's I/O thread would never be answered; return a"
                    + " CompletableFuture or use a ...Async stage");
          }
          Object value;
          try {
            value = call(route, payload).join();
          } catch (CompletionException e) {
            throw e.getCause();
          }
          if (value == null && method.getReturnType().isPrimitive()) {
            throw new ZocketException(
                ErrorCodes.INVALID_PAYLOAD,
                "The reply to "
                    + route.route()
                    + " has no value, but "
                    + route.methodName()
                    + " returns "
                    + method.getReturnType());
          }
          return value;
        }
      }
    }

    @Override
    public String toString() {
      return contract.type().getSimpleName() + " proxy of " + ZocketClient.this;
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Whether the caller is one of the I/O threads, where blocking for a reply could deadlock. */
  private boolean onIoThread() {
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private static String scheme(URI uri) {
    return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
  }

  private static URI withQuery(URI uri, Map<String, String> headers) {
    StringBuilder query = new StringBuilder();
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      query.append(uri.getRawQuery());
    }
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putIfAbsent(Protocol.VERSION_HEADER, PROTOCOL_VERSION);
    for (Map.Entry<String, String> e : all.entrySet()) {
      if (query.length() > 0) {
        query.append('&');
      }
      query
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return URI.create(scheme(uri) + "://" + uri.getRawAuthority() + path + "?" + query);
  }

  private static SslContext defaultSsl() {
    try {
      // No trust manager given: the JDK's default trust store; host names are verified.
      return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
    } catch (SSLException e) {
      throw new IllegalStateException("Could not set up TLS with the JDK's trust store", e);
    }
  }

  /** The I/O threads of every in-process client, created with the first one. */
  private static final class InProcessGroup {
    static final EventLoopGroup GROUP =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("zocket-client-local", true), LocalIoHandler.newFactory());
  }

  // ------------------------------------------------------------------ builder

  /**
   * Configures a {@link ZocketClient}. Not thread-safe; the client copies what it needs, so a
   * builder may be reused for another client.
   */
  public static final class Builder {
    private final URI uri;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, EventRoute> events = new HashMap<>();
    private Consumer<ZocketClient> onOpen;
    private CloseListener onClose;
    private Consumer<Throwable> onError;
    private Duration callTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private boolean validatePayloads = true;
    private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
    private boolean retryFirstConnect;
    private WhileDisconnected whileDisconnected = WhileDisconnected.fail();
    private SslContext sslContext;
    private ObjectMapper objectMapper;
    private int maxMessageSize = 1 << 20;
    private EventLoopGroup eventLoopGroup;

    private Builder(URI uri) {
      Objects.requireNonNull(uri, "uri == null");
      String scheme = scheme(uri);
      if (!scheme.equals("ws") && !scheme.equals("wss") && !scheme.equals("local")) {
        throw new IllegalArgumentException("uri must be ws://, wss:// or local://: " + uri);
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("uri has no host: " + uri);
      }
      this.uri = uri;
    }

    /**
     * A connection header, sent as a URL query parameter (browsers cannot set WebSocket headers, so
     * v1 servers read the query). Setting a name again replaces its value. The client adds {@code
     * x-zocket-version} unless set here.
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(value, "value == null");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name is empty");
      }
      headers.put(name, value);
      return this;
    }

    /**
     * Listens to an event contract. The listener implements the interface; contract methods with a
     * {@code default} body may be left out, so a listener overrides only the events it wants.
     * Payloads are decoded to the method's parameter type and validated (see {@link
     * #validatePayloads}); an event that fails is logged and dropped. Events no listener knows are
     * ignored. Several listeners may listen to one route; they run in registration order. Listeners
     * run on the client's callback thread (see the class documentation).
     *
     * @throws dev.zocket.ContractException if the interface breaks a contract rule
     * @throws IllegalArgumentException if another registered interface maps the same route to a
     *     different payload type
     */
    public <E> Builder on(Class<E> events, E listener) {
      Objects.requireNonNull(events, "events == null");
      Objects.requireNonNull(listener, "listener == null");
      Contract contract = Contracts.events(events);
      Map<RouteDescriptor, MethodInvoker> invokers = new LinkedHashMap<>();
      for (RouteDescriptor route : contract.routes()) {
        EventRoute existing = this.events.get(route.route());
        if (existing != null
            && !Objects.equals(existing.route().payloadJavaType(), route.payloadJavaType())) {
          throw new IllegalArgumentException(
              "Event "
                  + route.route()
                  + " is declared by "
                  + existing.route().methodName()
                  + " with payload "
                  + typeName(existing.route())
                  + " and by "
                  + route.methodName()
                  + " with payload "
                  + typeName(route)
                  + "; one route has one payload type");
        }
        invokers.put(route, MethodInvoker.of(route.method()));
      }
      invokers.forEach(
          (route, invoker) ->
              this.events
                  .computeIfAbsent(route.route(), k -> new EventRoute(route))
                  .add(listener, invoker));
      return this;
    }

    /**
     * Runs after every successful handshake, on the callback thread: the first time before {@link
     * #connect()} returns, then after every reconnect. Join rooms here. Sends and calls made here
     * go out on the new connection; {@linkplain WhileDisconnected#buffer buffered} sends follow
     * once it returns.
     */
    public Builder onOpen(Consumer<ZocketClient> onOpen) {
      this.onOpen = Objects.requireNonNull(onOpen, "onOpen == null");
      return this;
    }

    /**
     * Runs on the callback thread when a connection that was open closes; see {@link
     * CloseListener}.
     */
    public Builder onClose(CloseListener onClose) {
      this.onClose = Objects.requireNonNull(onClose, "onClose == null");
      return this;
    }

    /**
     * Runs on the callback thread with a {@link ZocketException} when a reconnect attempt fails
     * (code {@code DISCONNECTED}, {@code TIMEOUT}, or a {@link HandshakeRejectedException}, after
     * which the client closes), when the client gives up reconnecting (code {@code DISCONNECTED};
     * the last callback), and when an event is dropped because its payload does not bind to its
     * type or breaks a constraint (an {@link InvalidPayloadException} naming the route, with the
     * JSON path of every problem; code {@code INTERNAL} if a validator threw; the listeners do not
     * run). Failures of calls go to their futures, not here.
     */
    public Builder onError(Consumer<Throwable> onError) {
      this.onError = Objects.requireNonNull(onError, "onError == null");
      return this;
    }

    /**
     * How long a call waits for its reply before failing with {@code TIMEOUT}; 10 s by default.
     * {@link dev.zocket.CallTimeout} on a method overrides it for that method.
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive("callTimeout", timeout);
      return this;
    }

    /** How long a connect attempt (TCP, TLS and the handshake, each) may take; 10 s by default. */
    public Builder connectTimeout(Duration timeout) {
      Duration t = positive("connectTimeout", timeout);
      if (t.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("connectTimeout is too long: " + timeout);
      }
      this.connectTimeout = t;
      return this;
    }

    /**
     * How long the connection may stay silent before the server is taken for dead; 30 s by default.
     * After half of it the client pings; {@link Duration#ZERO} turns both off.
     */
    public Builder idleTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || (!timeout.isZero() && timeout.toMillis() < 2)) {
        throw new IllegalArgumentException("idleTimeout must be zero or at least 2 ms: " + timeout);
      }
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Whether outgoing payloads, incoming events and replies are checked against their Bean
     * Validation constraints; on by default. An outgoing payload that fails throws {@link
     * InvalidPayloadException} from the proxy method and nothing is sent.
     */
    public Builder validatePayloads(boolean validate) {
      this.validatePayloads = validate;
      return this;
    }

    /**
     * When to reconnect after a drop; {@link ReconnectPolicy#exponential} from 500 ms to 30 s by
     * default.
     */
    public Builder reconnect(ReconnectPolicy policy) {
      this.reconnect = Objects.requireNonNull(policy, "policy == null");
      return this;
    }

    /**
     * Whether a failed first connection is retried under the {@linkplain #reconnect reconnect
     * policy}, for applications that may start before their server; off by default, when the first
     * failure fails {@link #connect()}. While it retries the client is {@link State#CONNECTING},
     * each failed attempt goes to {@code onError}, and {@link #connect()} waits, until a connection
     * opens or the policy gives up (then it throws the last error); with a policy without an
     * attempt limit use {@link #connectAsync()} to wait as long as the application wants. A refused
     * handshake (400, 401, 403) is not retried; a full server (503) is.
     */
    public Builder retryFirstConnect(boolean retry) {
      this.retryFirstConnect = retry;
      return this;
    }

    /** What sends do while not connected; {@link WhileDisconnected#fail()} by default. */
    public Builder whileDisconnected(WhileDisconnected policy) {
      this.whileDisconnected = Objects.requireNonNull(policy, "policy == null");
      return this;
    }

    /**
     * The TLS settings for {@code wss://}; by default the JDK's trust store with host name
     * verification. Build one with Netty's {@code SslContextBuilder.forClient()}.
     */
    public Builder sslContext(SslContext sslContext) {
      Objects.requireNonNull(sslContext, "sslContext == null");
      if (!sslContext.isClient()) {
        throw new IllegalArgumentException("sslContext must be a client context: " + sslContext);
      }
      this.sslContext = sslContext;
      return this;
    }

    /**
     * The Jackson mapper to start from (modules, naming); the client uses a copy with Zocket's
     * settings applied.
     */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = Objects.requireNonNull(mapper, "mapper == null");
      return this;
    }

    /**
     * Runs the client's I/O on a shared NIO group ({@code new MultiThreadIoEventLoopGroup(n,
     * NioIoHandler.newFactory())}) instead of a thread of its own; useful with many clients in one
     * process. The client never shuts the group down; the caller does, after closing its clients.
     * By default each client owns one daemon I/O thread. A client of a {@code local://} server
     * needs a group of {@code LocalIoHandler}s instead.
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      Objects.requireNonNull(group, "group == null");
      if (group.isShuttingDown()) {
        throw new IllegalArgumentException("group is shutting down: " + group);
      }
      this.eventLoopGroup = group;
      return this;
    }

    /** The largest message the client accepts from the server, in bytes; 1 MiB by default. */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /**
     * Builds the client and connects, blocking until the connection is open and {@code onOpen} has
     * returned.
     *
     * @throws HandshakeRejectedException if the server refused the upgrade (the message quotes the
     *     status and body)
     * @throws ZocketException with code {@code DISCONNECTED} or {@code TIMEOUT} if the server could
     *     not be reached; the client is closed then
     */
    public ZocketClient connect() {
      CompletableFuture<ZocketClient> f = connectAsync();
      try {
        return f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        f.thenAccept(ZocketClient::close);
        throw new ZocketException(
            ErrorCodes.DISCONNECTED, "Interrupted while connecting to " + uri, List.of(), e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ZocketException z) {
          throw z;
        }
        throw new ZocketException(
            ErrorCodes.DISCONNECTED, "Could not connect to " + uri, List.of(), e.getCause());
      }
    }

    /**
     * Builds the client and starts connecting; returns at once. The future completes on the
     * client's callback thread once the connection is open and {@code onOpen} has returned, or
     * fails as {@link #connect()} would throw.
     */
    public CompletableFuture<ZocketClient> connectAsync() {
      ZocketClient client = new ZocketClient(this);
      client.start();
      return client.firstOpen.copy();
    }

    private static String typeName(RouteDescriptor route) {
      return route.hasPayload() ? route.payloadType().getTypeName() : "none";
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
        throw new IllegalArgumentException(name + " must be at least 1 ms: " + d);
      }
      return d;
    }
  }
}
