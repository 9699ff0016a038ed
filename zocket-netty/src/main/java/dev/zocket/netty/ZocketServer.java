package dev.zocket.netty;

import dev.zocket.AroundInterceptor;
import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.Emitter;
import dev.zocket.Interceptor;
import dev.zocket.JsonLimits;
import dev.zocket.ZocketException;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.JacksonVersionCheck;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.RouteTable;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.ZocketObserver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.PlatformDependent;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Zocket WebSocket server on Netty: it accepts WebSocket upgrades, binds and validates the
 * handshake headers, builds each connection's user context and handlers, dispatches incoming
 * messages to the handlers and sends events to clients, rooms and everyone.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .headers(ChatHeaders.class)
 *     .onConnect((headers, clientId) -> new User(headers.userName()))
 *     .onDisconnect(ctx -> log.info("{} left {}", ctx.user(), ctx.rooms().current()))
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .port(3000)
 *     .start();
 *
 * server.emit(RoomEvents.class).toRoom("general").onMessage(message); // from anywhere
 * server.close();
 * }</pre>
 *
 * <h2>Connection lifecycle</h2>
 *
 * <ol>
 *   <li><b>Handshake</b> (on the I/O thread): the {@code Origin} is checked against the {@linkplain
 *       Builder#allowedOrigins allowed origins} (403), the {@link Builder#authenticate
 *       authenticator} runs (401/403), then the headers are read from the query string and the HTTP
 *       headers (a query parameter wins over an HTTP header of the same name; HTTP header names
 *       match case-insensitively), bound to the {@link Builder#headers header record} and
 *       validated. A failure answers HTTP 400 with {@code {"error":"Invalid
 *       headers","details":[{"path":..,"message":..}]}} and no upgrade happens. Last, a server at
 *       its {@linkplain Builder#maxConnections connection limit} answers 503. See {@code
 *       SECURITY.md} for every limit.
 *   <li><b>Connect</b> (on the handler executor): after the upgrade the connection gets a unique,
 *       unguessable client id (128 random bits, base64url) and {@code onConnect} builds its user
 *       context; then one handler per contract is created. Messages that arrive meanwhile are kept
 *       in order and handled once {@code onConnect} completes. If {@code onConnect} fails the
 *       connection is closed with 1008 (a {@link ZocketException}) or 1011 (anything else) and
 *       {@code onDisconnect} does not run.
 *   <li><b>Open</b>: messages are handled one at a time, in order (see Threading).
 *   <li><b>Disconnect</b> (on the handler executor, after every message already received was
 *       handled): the connection leaves the registry at once (no event reaches it any more), then
 *       {@code onDisconnect} runs and still sees the rooms the client was in; then the rooms are
 *       released.
 * </ol>
 *
 * <h2>Threading</h2>
 *
 * Frames are decoded, bound and validated on the connection's I/O thread. Handlers and interceptors
 * run on the {@linkplain Builder#executor handler executor}, one message of a connection at a time
 * and in arrival order, so a blocking handler delays only its own connection. A message for a
 * {@link dev.zocket.NonBlocking @NonBlocking} route runs directly on the I/O thread when nothing
 * else of its connection is queued. Sending (emitters, replies) never blocks and may happen from
 * any thread.
 *
 * <h2>Flow control</h2>
 *
 * A connection is not read from while 1,024 of its messages wait for their handlers, while a
 * configured {@linkplain Builder#rateLimit rate limit} throttles it, or while it is behind on what
 * the server sends it; TCP then slows the client down and nothing already read is lost. A client
 * that stays behind past the {@linkplain Builder#slowConsumerLimits limits} is closed with 1013.
 * Every message read and neither handled nor answered is counted in {@link #droppedMessages(
 * DropReason)}. Every close the server starts completes the closing handshake, so the client reads
 * the code.
 *
 * <p>This class is thread-safe.
 */
public final class ZocketServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZocketServer.class);

  /** How often a shutdown checks whether connections still owe answers. */
  private static final long GRACE_POLL_MILLIS = 5;

  /**
   * What {@link #close()} may take beyond the grace period and the shutdown timeout to stop the
   * server's threads, before it gives up on them.
   */
  static final Duration CLOSE_MARGIN = Duration.ofSeconds(1);

  /** An in-process name: a URI host name, so that {@code local://name/} parses. */
  private static final Pattern IN_PROCESS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*)");

  /** Numbers the in-process servers that were given no name. */
  private static final AtomicLong IN_PROCESS_SERVERS = new AtomicLong();

  /** The default of the bytes that may wait for a client that is behind. */
  static final int DEFAULT_MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

  /** A quarter of the smaller of the maximum heap and the maximum direct memory. */
  static long defaultMaxBacklogMemory() {
    return Math.min(Runtime.getRuntime().maxMemory(), PlatformDependent.maxDirectMemory()) / 4;
  }

  /**
   * An eighth of the maximum heap: with the other budgets' defaults (a quarter each for rooms,
   * backlogs and messages received) the server's budgets take at most seven eighths of it.
   */
  static long defaultMaxRecoveryMemory() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /** The default of how long a client may stay behind. */
  static final Duration DEFAULT_MAX_BACKLOG_TIME = Duration.ofSeconds(30);

  private final EventEmitters emitters;
  private final Cluster cluster;
  private final Directory directory;
  private final Recovery recovery;
  private final ServerState state;
  private final Hardening hardening;
  private final EventLoopGroup group;
  private final IoThreads ioThreads;
  private final Channel serverChannel;

  /** The bound port; -1 in process. */
  private final int port;

  private final URI uri;
  private final ExecutorService ownedExecutor;
  private final Duration shutdownTimeout;
  private final Backplane backplane;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  ZocketServer(
      ServerAssembly.Parts parts,
      EventLoopGroup group,
      IoThreads ioThreads,
      Channel serverChannel,
      ExecutorService ownedExecutor,
      Duration shutdownTimeout,
      Backplane backplane,
      String host,
      String path) {
    this.emitters = parts.emitters();
    this.cluster = parts.cluster();
    this.directory = parts.directory();
    this.recovery = parts.recovery();
    this.state = parts.state();
    this.hardening = parts.hardening();
    this.group = group;
    this.ioThreads = ioThreads;
    this.serverChannel = serverChannel;
    String p = path == null ? "/" : path;
    if (serverChannel.localAddress() instanceof InetSocketAddress bound) {
      this.port = bound.getPort();
      String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      String scheme = hardening.sslContext() == null ? "ws" : "wss";
      this.uri =
          URI.create(scheme + "://" + (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port + p);
    } else {
      this.port = -1;
      this.uri = URI.create("local://" + ((LocalAddress) serverChannel.localAddress()).id() + p);
    }
    this.ownedExecutor = ownedExecutor;
    this.shutdownTimeout = shutdownTimeout;
    this.backplane = backplane;
  }

  /**
   * A new builder. Until {@link Builder#headers} is called the headers are a {@code
   * Map<String,String>}; until {@link Builder#onConnect} is called the user context is {@code Void}
   * (always null).
   *
   * @throws IllegalStateException if the Netty on the class path is older than 4.2, or its {@code
   *     jackson-annotations} older than Jackson 3 needs, with the version found and how to set the
   *     right one
   */
  public static Builder<Map<String, String>, Void> builder() {
    NettyVersionCheck.check();
    JacksonVersionCheck.check();
    return new Builder<>();
  }

  /**
   * The port the server is bound to; the actual port when the builder asked for port 0.
   *
   * @throws IllegalStateException for a server {@linkplain Builder#inProcess in process}, which has
   *     no port
   */
  public int port() {
    if (port < 0) {
      throw new IllegalStateException("An in-process server has no port; connect to uri()");
    }
    return port;
  }

  /**
   * Where clients reach the server: {@code ws://host:port/path} ({@code wss://} with TLS; the
   * loopback address when bound to every interface), or {@code local://name/path} for a server
   * {@linkplain Builder#inProcess in process}, which {@code ZocketClient.builder(uri)} accepts.
   */
  public URI uri() {
    return uri;
  }

  /**
   * A typed emitter for an event (server-to-client) contract, for code outside handlers such as a
   * scheduled job. Thread-safe; sending returns immediately.
   *
   * @param events an interface whose methods all return void
   * @throws dev.zocket.ContractException if {@code events} breaks a contract rule
   */
  public <E> Emitter<E> emit(Class<E> events) {
    return emitters.emitter(events);
  }

  /**
   * Presence and control across every node sharing this server's {@linkplain Builder#backplane
   * backplane} (this server alone without one): a room's members, a client's rooms, counts, and
   * disconnecting a client or moving it into or out of a room whatever node it is on. Thread-safe;
   * its operations return at once (see {@link Cluster}).
   *
   * @return the cluster, with the default timeout
   */
  public Cluster cluster() {
    return cluster;
  }

  /** The number of open connections whose {@code onConnect} has completed. */
  public int connectionCount() {
    return directory.connectionCount();
  }

  /** The number of rooms that have at least one member. */
  public int roomCount() {
    return directory.roomCount();
  }

  /** What the server counts and tracks while it runs, for the tests of this package. */
  ServerState state() {
    return state;
  }

  /** The connections and rooms of this node, for the tests of this package. */
  Directory directory() {
    return directory;
  }

  /**
   * The messages dropped so far, for every reason: neither handled nor answered (see {@link
   * DropReason}). Thread-safe.
   */
  public long droppedMessages() {
    return state.drops.total();
  }

  /** The messages dropped so far for one reason. Thread-safe. */
  public long droppedMessages(DropReason reason) {
    return state.drops.get(Objects.requireNonNull(reason, "reason == null"));
  }

  /**
   * The connections closed so far with 1013 for reading too slowly (see {@link
   * Builder#slowConsumerLimits}). Thread-safe.
   */
  public long slowConsumersClosed() {
    return state.slowConsumersClosed.sum();
  }

  /** The recovery store, or null without connection-state recovery; for tests. */
  dev.zocket.spi.RecoveryStore recoveryStore() {
    return recovery.store();
  }

  /**
   * The bytes the server-wide {@linkplain Builder#maxBacklogMemory backlog budget} counts now, for
   * tests. Thread-safe.
   */
  long backlogMemory() {
    return state.backlogs.total();
  }

  /**
   * Shuts the server down gracefully: stops accepting connections and reading messages, lets the
   * calls in flight be answered (for at most the {@linkplain Builder#gracePeriod grace period}),
   * closes every connection with 1001 (going away), each as soon as it owes no answer, waits for
   * every {@code onDisconnect} to run, then stops the server's threads (the I/O threads and the
   * default handler executor; an executor passed to {@link Builder#executor} is left running).
   * Idempotent: later and concurrent calls wait for the first one to finish.
   *
   * <p>Bounded whatever the server's threads are doing: it returns within the grace period plus the
   * {@linkplain Builder#shutdownTimeout shutdown timeout} plus one second (to stop the threads),
   * plus what closing the {@linkplain Builder#backplane backplane} takes. What has not finished by
   * then is given up on and logged at WARN: the connections not closed, an I/O thread that does not
   * stop (blocked in an {@link Authenticator}, an {@link HttpHandler} or a {@link
   * dev.zocket.NonBlocking @NonBlocking} handler, say; named with the top of its stack), the
   * handler threads still busy (interrupted). A thread given up on keeps running; the I/O threads
   * are not daemons, so a process whose {@code main} returns after {@code close()} should then end
   * with {@link System#exit}. A shutdown hook need not: the JVM halts once its hooks return.
   *
   * <p>Threading: blocks; must not be called from a handler or an I/O thread.
   *
   * @throws IllegalStateException if called on one of the server's I/O threads
   */
  @Override
  public void close() {
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        throw new IllegalStateException(
            "close() would wait for itself: call it off the I/O threads");
      }
    }
    if (!closing.compareAndSet(false, true)) {
      closed.join();
      return;
    }
    try {
      long deadline =
          System.nanoTime() + hardening.gracePeriod().toNanos() + shutdownTimeout.toNanos();
      Future<?> unbound = serverChannel.close(); // completes on an I/O thread: not waited for here
      awaitCallsInFlight();
      List<CompletableFuture<Void>> pending = state.closeAll();
      try {
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
            .get(remaining(deadline), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        log.warn(
            "Gave up waiting for {} connection(s) to close after {}",
            pending.stream().filter(f -> !f.isDone()).count(),
            shutdownTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException e) {
        log.warn("A connection failed to close", e.getCause());
      }
      recovery.close();
      if (backplane != null) {
        closeBackplane(backplane);
      }
      stopThreads(Math.max(deadline, System.nanoTime()) + CLOSE_MARGIN.toNanos(), unbound);
      log.info("Zocket server {} closed", uri);
    } finally {
      closed.complete(null);
    }
  }

  /**
   * Stops the I/O threads and the owned handler executor, waiting for them until {@code deadline}
   * ({@link System#nanoTime}), and logs what does not stop by then.
   */
  private void stopThreads(long deadline, Future<?> unbound) {
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
    }
    closeEverySocket(deadline, unbound);
    group.shutdownGracefully(0, shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    boolean ioStopped =
        group.terminationFuture().awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
    if (ownedExecutor != null) {
      try {
        if (!ownedExecutor.awaitTermination(remaining(deadline), TimeUnit.NANOSECONDS)) {
          log.warn("Handler threads still busy after {}; interrupting them", shutdownTimeout);
          ownedExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    if (!ioStopped) {
      log.warn(
          "Gave up on I/O threads that did not stop in time{}; they keep running:\n{}",
          unbound.isDone() ? "" : " (the listening socket is not closed either)",
          ioThreads.stillRunning());
    }
  }

  /**
   * Closes every socket still open, and waits for that, before the I/O threads are told to stop:
   * what Netty closes as its threads stop is not enough. The accepting thread queues each accepted
   * socket's registration as a task on that socket's I/O thread, and a thread told to stop with no
   * quiet period may close the sockets registered with it before such a task runs (or, if told in
   * the middle of a pass, none at all); the socket then stays open for good and its client is never
   * told. So this waits for the listening socket to close (no socket is accepted after it), then
   * for one empty task per I/O thread queued after that (every accepted socket is then registered,
   * so in {@link ServerState#channels} or {@link ServerState#live}), then closes every socket of
   * both.
   */
  private void closeEverySocket(long deadline, Future<?> unbound) {
    if (!unbound.awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS)) {
      return; // an I/O thread is stuck: stopThreads reports it
    }
    List<Future<?>> pending = new ArrayList<>();
    for (EventExecutor e : group) {
      pending.add(e.submit(() -> {}));
    }
    for (Future<?> f : pending) {
      f.awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
    }
    pending.clear();
    pending.add(state.channels.close());
    for (ServerConnection c : state.live) { // given up on above: still open after the timeout
      pending.add(c.channel().close());
    }
    for (Future<?> f : pending) {
      f.awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
    }
  }

  /** The nanoseconds until {@code deadline} ({@link System#nanoTime}), at least 0. */
  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /**
   * Stops reading every connection, then closes each with 1001 once nothing of it is queued,
   * running or owed an answer, until the grace period ends.
   */
  private void awaitCallsInFlight() {
    state.stopAccepting();
    Duration grace = hardening.gracePeriod();
    long deadline = System.nanoTime() + grace.toNanos();
    List<ServerConnection> busy = new ArrayList<>(state.live);
    List<Future<?>> drains = new ArrayList<>(busy.size());
    for (ServerConnection c : busy) {
      drains.add(c.drain());
    }
    try {
      for (Future<?> drain : drains) {
        drain.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      while (true) {
        busy.removeIf(
            c -> {
              if (c.idle()) {
                c.goAway();
                return true;
              }
              return false;
            });
        if (busy.isEmpty() || deadline - System.nanoTime() <= 0) {
          break;
        }
        Thread.sleep(GRACE_POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!busy.isEmpty()) {
      log.warn(
          "{} connection(s) still had calls in flight after the grace period of {}",
          busy.size(),
          grace);
    }
  }

  /** Closes a backplane, logging what it throws: the server is stopping either way. */
  static void closeBackplane(Backplane backplane) {
    try {
      backplane.close();
    } catch (RuntimeException e) {
      log.warn("Closing the backplane {} failed", backplane, e);
    }
  }

  @Override
  public String toString() {
    return "ZocketServer(" + uri + ")";
  }

  /**
   * Configures and starts a {@link ZocketServer}. Not thread-safe; each {@link #start} builds an
   * independent server from the current settings.
   *
   * <p>Type parameters change along the chain: {@link #headers} chooses {@code H} and {@link
   * #onConnect} chooses {@code U}. Call {@code headers} before {@code onConnect}, and {@code
   * onConnect} before {@link #handle} and {@link #onDisconnect}, which are typed on {@code U}.
   *
   * @param <H> the handshake headers' type
   * @param <U> the user context's type
   */
  public static final class Builder<H, U> {
    /** Whether onConnect was set, and whether anything typed on the user context was. */
    private boolean onConnectSet;

    private boolean typedOnUser;

    // The settings: package-private, for ServerAssembly to read when start() wires a server.
    Class<?> headersType;
    BiFunction<Object, String, CompletionStage<?>> onConnect =
        (headers, clientId) -> CompletableFuture.completedFuture(null);
    Consumer<Context<?>> onDisconnect = ctx -> {};

    /** Makes a connection's presence from its user context, for {@link Cluster}; null: none. */
    Function<Object, Object> presence;

    final RouteTable.Builder routes = RouteTable.builder();
    final List<Interceptor> interceptors = new ArrayList<>();
    final List<AroundInterceptor> arounds = new ArrayList<>();
    final List<ZocketObserver> observers = new ArrayList<>();
    Validator validator;
    Authenticator authenticator;
    HttpHandler httpHandler;
    String host = "0.0.0.0";
    int port = 3000;
    String path;

    /** The name of the in-process address to bind instead of a socket; null for TCP. */
    String inProcessName;

    Executor executor;
    int ioThreads;
    IoTransport transport = IoTransport.AUTO;
    int maxFrameSize = 64 * 1024;
    Duration idleTimeout = Duration.ofSeconds(60);
    Duration pingInterval = Duration.ofSeconds(25);
    Duration shutdownTimeout = Duration.ofSeconds(10);
    ObjectMapper objectMapper;
    JsonLimits jsonLimits = JsonLimits.DEFAULTS;
    boolean validateOutgoing = true;
    Backplane backplane;
    Duration recoveryWindow;
    int recoveryMaxEvents;
    long maxRecoveryMemory = defaultMaxRecoveryMemory();
    SslContext sslContext;
    boolean compression;
    Set<String> allowedOrigins = Set.of();
    Set<String> allowedHosts = Set.of();
    int maxConnectionsPerAddress;
    Duration handshakeTimeout = Duration.ofSeconds(10);

    /** Null for the default, which depends on the frame size and the memory. */
    Integer maxConnections;

    int maxRoomsPerConnection = 100;
    int maxRoomIdLength = 256;
    int messagesPerSecond = 0;
    int messageBurst = 1;
    RateLimitPolicy rateLimitPolicy = RateLimitPolicy.THROTTLE;
    int maxCallsInFlight = 128;
    Duration ackTimeout = Duration.ofSeconds(10);
    int maxPendingAcksPerConnection = 64;
    int maxPendingAcks = 65_536;
    SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.CLOSE;
    int writeBufferLow = 128 * 1024;
    int writeBufferHigh = 256 * 1024;
    int maxBacklogBytes = DEFAULT_MAX_BACKLOG_BYTES;
    long maxRoomMemory = Runtime.getRuntime().maxMemory() / 4;
    long maxBacklogMemory = defaultMaxBacklogMemory();
    long maxInboundMemory = Runtime.getRuntime().maxMemory() / 4;
    Duration maxBacklogTime = DEFAULT_MAX_BACKLOG_TIME;
    Duration gracePeriod = Duration.ofSeconds(5);

    Builder() {}

    /**
     * The record (or class) the handshake headers are bound to and validated as, before the
     * upgrade. Its JSON property names are the header names, for example
     * {@code @JsonProperty("user-name") String userName}; defaults belong in its compact
     * constructor. Without it, the headers are an immutable {@code Map<String,String>} of every
     * query parameter and HTTP header (HTTP header names lower-cased).
     *
     * @throws IllegalStateException if {@link #onConnect} was already called
     * @throws IllegalArgumentException if Jackson cannot bind the type
     */
    @SuppressWarnings("unchecked") // the builder is reused with the new header type
    public <H2> Builder<H2, U> headers(Class<H2> headers) {
      Objects.requireNonNull(headers, "headers == null");
      if (onConnectSet) {
        throw new IllegalStateException("Call headers() before onConnect()");
      }
      this.headersType = headers;
      return (Builder<H2, U>) this;
    }

    /**
     * Builds a connection's user context after the upgrade. Without it, the user context is null.
     *
     * <p>Threading: called on the handler executor, once per connection, before any message of that
     * connection is handled; it may block. An exception closes the connection (see {@link
     * ZocketServer}).
     *
     * @param onConnect receives the bound headers and the new client id; returns the user context
     * @throws IllegalStateException if {@link #handle} or {@link #onDisconnect} was already called
     */
    public <U2> Builder<H, U2> onConnect(BiFunction<? super H, String, ? extends U2> onConnect) {
      Objects.requireNonNull(onConnect, "onConnect == null");
      return onConnectAsync(
          (headers, clientId) ->
              CompletableFuture.completedFuture(onConnect.apply(headers, clientId)));
    }

    /**
     * Like {@link #onConnect} for a user context that completes later, for example after a database
     * lookup. No message of the connection is handled before the stage completes; messages that
     * arrive meanwhile are kept in order. A stage that fails closes the connection.
     *
     * @param onConnect receives the bound headers and the new client id; returns the user context
     *     to come, never null
     * @throws IllegalStateException if {@link #handle} or {@link #onDisconnect} was already called
     */
    @SuppressWarnings("unchecked") // the builder is reused with the new user type
    public <U2> Builder<H, U2> onConnectAsync(
        BiFunction<? super H, String, ? extends CompletionStage<? extends U2>> onConnect) {
      Objects.requireNonNull(onConnect, "onConnect == null");
      if (typedOnUser) {
        throw new IllegalStateException("Call onConnect() before handle() and onDisconnect()");
      }
      this.onConnect = (headers, clientId) -> onConnect.apply((H) headers, clientId);
      this.onConnectSet = true;
      return (Builder<H, U2>) this;
    }

    /**
     * Runs when a connection has closed, after every message it sent was handled. The context still
     * shows the rooms the client was in; emitting to it is a no-op.
     *
     * <p>Threading: called on the handler executor, once per connection whose {@code onConnect}
     * completed, never concurrently with that connection's handlers; it may block. An exception is
     * logged.
     */
    @SuppressWarnings("unchecked") // contexts of this server carry user contexts of type U
    public Builder<H, U> onDisconnect(Consumer<? super Context<U>> onDisconnect) {
      Objects.requireNonNull(onDisconnect, "onDisconnect == null");
      this.onDisconnect = ctx -> onDisconnect.accept((Context<U>) ctx);
      this.typedOnUser = true;
      return this;
    }

    /**
     * What the {@linkplain ZocketServer#cluster() cluster} shows of each connection besides its
     * client id: the function makes it from the user context, and the server writes it as JSON with
     * its {@code ObjectMapper} (at most {@value Cluster#MAX_PRESENCE_BYTES} bytes, a larger one is
     * left out and logged), for example {@code presence(User::name)}. Read it with {@link
     * Cluster.Member#presence}. Default: none, members are client ids alone.
     *
     * <p>Threading: called on the handler executor (or the thread asking the cluster, for this
     * node's own members), concurrently for different connections; it must be fast and must not
     * block: a member list calls it once per member of the page. An exception is logged and the
     * member listed without presence.
     *
     * @param presence what to show of a user context; it may return null
     * @return this builder
     */
    @SuppressWarnings("unchecked") // contexts of this server carry user contexts of type U
    public Builder<H, U> presence(Function<? super U, ?> presence) {
      Objects.requireNonNull(presence, "presence == null");
      this.presence = user -> presence.apply((U) user);
      this.typedOnUser = true;
      return this;
    }

    /**
     * Registers a client-to-server contract and the factory of its handlers: one handler per
     * connection, created after {@code onConnect} completes.
     *
     * <p>Threading: the factory is called once per connection on the thread that completed {@code
     * onConnect}; the handler's methods are called as described in {@link ZocketServer}.
     *
     * @throws dev.zocket.ContractException if the contract breaks a rule or a route is taken
     */
    @SuppressWarnings({
      "unchecked",
      "rawtypes"
    }) // contexts of this server carry user contexts of type U
    public <T> Builder<H, U> handle(
        Class<T> contract, Function<? super Context<U>, ? extends T> handlerFactory) {
      Objects.requireNonNull(contract, "contract == null");
      Objects.requireNonNull(handlerFactory, "handlerFactory == null");
      routes.add(contract, (Function) handlerFactory);
      this.typedOnUser = true;
      return this;
    }

    /**
     * Adds an interceptor; interceptors run in the order they were added, before every handler (and
     * before every {@linkplain #around around interceptor}).
     */
    public Builder<H, U> intercept(Interceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    /**
     * Adds an interceptor that runs around every handler and sees its outcome; see {@link
     * AroundInterceptor}. They nest in the order they were added, the first outermost, inside the
     * {@linkplain #intercept interceptors}.
     */
    public Builder<H, U> around(AroundInterceptor interceptor) {
      arounds.add(Objects.requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    /**
     * Adds an observer of what the server does, for metrics (for example {@code
     * dev.zocket.micrometer.ZocketMetrics}); see {@link ZocketObserver} for what it is told and on
     * which threads. Observers are told in the order they were added. Without any, the server
     * measures nothing for them.
     */
    public Builder<H, U> observer(ZocketObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer == null"));
      return this;
    }

    /**
     * The Bean Validation validator that checks payloads and handshake headers (and outgoing
     * events, unless {@link #validateOutgoing} is off), instead of Zocket's own: for an
     * application's message interpolator, constraint validator factory or custom constraints.
     * Zocket's own is Hibernate Validator without expression language, with English messages; for
     * the payloads and replies of the registered contracts whose values are all of classes known
     * when the server is built (records, sealed unions of them, enums without constant bodies, the
     * JDK's value classes, and lists, sets, maps, arrays and optionals of these) it reads their
     * constraints once, as the server is built, and checks each value without looking them up
     * (Hibernate Validator's predefined scope). An application's validator is used as given, for
     * every value.
     *
     * <p>The validator must be thread-safe, as {@code Validator}s are; it is called on the I/O
     * threads (incoming payloads) and on the threads that emit events.
     */
    public Builder<H, U> validator(Validator validator) {
      this.validator = Objects.requireNonNull(validator, "validator == null");
      return this;
    }

    /** Checks every WebSocket handshake before its headers are bound; see {@link Authenticator}. */
    public Builder<H, U> authenticate(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator == null");
      return this;
    }

    /**
     * Answers plain HTTP requests (not upgrades). Without it, or when it returns null, they get
     * 404, or 426 (Upgrade Required) on the WebSocket path.
     */
    public Builder<H, U> httpHandler(HttpHandler httpHandler) {
      this.httpHandler = Objects.requireNonNull(httpHandler, "httpHandler == null");
      return this;
    }

    /** The address to bind; default {@code 0.0.0.0} (every interface). */
    public Builder<H, U> host(String host) {
      Objects.requireNonNull(host, "host == null");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host is blank: '" + host + "'");
      }
      this.host = host;
      return this;
    }

    /** The port to bind, 0 for any free port (see {@link ZocketServer#port()}); default 3000. */
    public Builder<H, U> port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Serves in process instead of on a socket: the server binds Netty's in-JVM local transport
     * under {@code name}, and only clients in the same JVM reach it, through {@link
     * ZocketServer#uri()} ({@code local://name/}). Everything else is the same server (handshake,
     * frames, dispatcher, rooms, emitters, backplane, limits), so a test of a handler runs fast and
     * without ports; the {@code host} and {@code port} are not used. Names are per JVM and must be
     * unique among the servers running in it; {@code inProcess()} picks a fresh one.
     *
     * @throws IllegalArgumentException if {@code name} is blank or not a valid URI host name
     *     (letters, digits, '-' and '.')
     */
    public Builder<H, U> inProcess(String name) {
      Objects.requireNonNull(name, "name == null");
      if (!IN_PROCESS_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "in-process name must be letters, digits, '-' and '.': '" + name + "'");
      }
      this.inProcessName = name;
      return this;
    }

    /** Serves {@linkplain #inProcess(String) in process} under a fresh name. */
    public Builder<H, U> inProcess() {
      return inProcess("zocket-" + IN_PROCESS_SERVERS.incrementAndGet());
    }

    /**
     * The only path that accepts WebSocket upgrades, for example {@code "/ws"}; the query string is
     * not part of it. Default: any path.
     */
    public Builder<H, U> path(String path) {
      Objects.requireNonNull(path, "path == null");
      if (!path.startsWith("/") || path.indexOf('?') >= 0) {
        throw new IllegalArgumentException(
            "path must start with '/' and have no query: '" + path + "'");
      }
      this.path = path;
      return this;
    }

    /**
     * The executor that runs {@code onConnect}, handlers, interceptors and {@code onDisconnect}.
     * The server keeps per-connection order itself, so any executor works; it should not run tasks
     * on the caller's thread. Default: a cached pool of daemon threads named {@code
     * zocket-handler-*} that grows with the number of handlers blocked at once, owned and shut down
     * by the server. A given executor is not shut down by {@link ZocketServer#close()}.
     */
    public Builder<H, U> executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * How the I/O threads use the sockets; default {@link IoTransport#AUTO}: epoll when its native
     * library is on the class path, else NIO. Ignored by an in-process server.
     */
    public Builder<H, U> transport(IoTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /** The number of I/O threads; default 0, meaning Netty's default (twice the CPU count). */
    public Builder<H, U> ioThreads(int ioThreads) {
      if (ioThreads < 0) {
        throw new IllegalArgumentException("ioThreads must not be negative: " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /**
     * The largest message accepted, in bytes (of a frame, or of all fragments of a message); a
     * larger one closes the connection with 1009. Default 65,536.
     */
    public Builder<H, U> maxFrameSize(int maxFrameSize) {
      if (maxFrameSize <= 0) {
        throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
      }
      this.maxFrameSize = maxFrameSize;
      return this;
    }

    /**
     * How long a connection may go without progress before it is closed as dead, with 1001 (the
     * socket is closed if the peer has not closed its side 5 s later). Progress is a frame that has
     * arrived whole: a message, the first fragment of a fragmented message, a ping, a pong or a
     * close frame; while a fragmented message is under way only its last fragment counts. Bytes of
     * an unfinished frame do not: a frame, or a fragmented message, must arrive whole within the
     * idle timeout of the client's previous progress (a message of {@link #maxFrameSize} bytes at
     * the defaults needs about 1.1 KB/s), and one dribbled for ever is cut however much of it
     * arrives. The server's pings (see {@link #pingInterval}) keep a client that only receives
     * within it. Before the upgrade any bytes count, and the {@linkplain #handshakeTimeout
     * handshake timeout} bounds each request. Zero disables. Must be longer than the ping interval.
     * Default 60 s.
     */
    public Builder<H, U> idleTimeout(Duration idleTimeout) {
      this.idleTimeout = nonNegative("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * How long a connection may send nothing before the server pings it, however much the server
     * writes to it: the pong of a client that only receives is what keeps it within the {@link
     * #idleTimeout idle timeout}. Zero disables. Default 25 s.
     */
    public Builder<H, U> pingInterval(Duration pingInterval) {
      this.pingInterval = nonNegative("pingInterval", pingInterval);
      return this;
    }

    /**
     * How long {@link ZocketServer#close()} lets the calls in flight be answered before it closes
     * the connections with 1001; zero closes at once. While it waits no new message is read. Each
     * connection is closed as soon as it owes no answer. Default 5 s.
     */
    public Builder<H, U> gracePeriod(Duration gracePeriod) {
      this.gracePeriod = nonNegative("gracePeriod", gracePeriod);
      return this;
    }

    /**
     * How long {@link ZocketServer#close()} waits for connections to close after the {@linkplain
     * #gracePeriod grace period}. It is a bound: {@code close()} returns within the grace period
     * plus this timeout plus one second (for stopping the threads), plus what closing the backplane
     * takes, even if an I/O thread never returns; what does not stop in time is logged and left
     * running. Default 10 s.
     */
    public Builder<H, U> shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = nonNegative("shutdownTimeout", shutdownTimeout);
      return this;
    }

    /**
     * The Jackson 3 mapper payloads and headers are bound with: its settings, modules and naming
     * strategy apply to payloads. It must be a {@link JsonMapper} (Spring Boot's, or {@code
     * JsonMapper.builder()...build()}). Zocket builds a mapper of its own from this one's
     * configuration ({@link ObjectMapper#rebuild()}) with its settings on top: {@code java.time} as
     * ISO-8601 strings, enums by their names, properties in declaration order, unknown properties
     * ignored, duplicate keys refused, the {@link #jsonLimits JSON limits}, and the strict binding
     * rules of {@link dev.zocket.JsonBinding}. The given mapper is not changed. Default: {@code
     * JsonMapper.builder().build()}.
     *
     * @throws IllegalArgumentException if the mapper is not a {@link JsonMapper}
     */
    public Builder<H, U> objectMapper(ObjectMapper objectMapper) {
      this.objectMapper =
          JsonMappers.requireJson(Objects.requireNonNull(objectMapper, "objectMapper == null"));
      return this;
    }

    /** The bounds on incoming JSON; default {@link JsonLimits#DEFAULTS}. */
    public Builder<H, U> jsonLimits(JsonLimits jsonLimits) {
      this.jsonLimits = Objects.requireNonNull(jsonLimits, "jsonLimits == null");
      return this;
    }

    /**
     * Whether events are validated before they are sent; default true. A failure throws {@link
     * dev.zocket.InvalidPayloadException} from the emitter's method and nothing is sent.
     */
    public Builder<H, U> validateOutgoing(boolean validateOutgoing) {
      this.validateOutgoing = validateOutgoing;
      return this;
    }

    /**
     * Makes this server one node of a cluster: room, broadcast and {@code to(clientId)} events also
     * reach the clients connected to the other nodes sharing the backplane, and events sent on
     * those nodes reach this one's clients. For example {@code
     * .backplane(RedisBackplane.create("redis://10.0.0.5:6379"))} from {@code zocket-redis}.
     *
     * <p>Events are still delivered to this server's own clients directly, then handed once to the
     * backplane. Client ids become {@code <nodeId>.<random>} so that {@code to(clientId)} finds the
     * node of a client. The server starts the backplane as it starts (a backplane that cannot start
     * makes {@link #start} fail) and closes it after its connections have closed. A backplane
     * instance serves one server. Default: none, events reach this server's clients only.
     *
     * @param backplane the backplane of this node
     * @return this builder
     * @see Backplane
     */
    public Builder<H, U> backplane(Backplane backplane) {
      this.backplane = Objects.requireNonNull(backplane, "backplane == null");
      return this;
    }

    /**
     * Switches on connection-state recovery: when a connection drops (a network cut, an idle
     * timeout, a slow consumer closed with 1013, any close but a deliberate one), its session is
     * kept for {@code window}, and a client that reconnects within it with its session (the Java
     * and TypeScript clients of Zocket do this by themselves) gets back the same client id, user
     * context, attributes and rooms, then every event sent to it meanwhile, in order, before new
     * ones. Its {@code onConnect} does not run again, and {@code onDisconnect} runs once, when the
     * session ends: at a deliberate close (code 1000 or 1005, or a policy the server enforces),
     * when the window passes, or when the client comes back too late. Handler instances are created
     * anew for each connection, so a handler keeps its state in the user context or the attributes.
     *
     * <p>A resumed session is replayed exactly what it would have received had it stayed connected:
     * events for its client id, for the rooms it was in when each was delivered, and broadcasts,
     * never one from before it began; a client resuming from a position its session cannot have
     * received starts afresh. The session token is a bearer secret, unless the {@link #authenticate
     * authenticator} names principals: then only the principal that began a session resumes it (see
     * {@link Authenticator}). A resume that finds the session's older connection still open closes
     * that one with 4001, which Zocket's clients do not reconnect from.
     *
     * <p>Events then carry a position (an extra {@code "pos"} field that clients without recovery
     * ignore) and the server keeps the events of the last {@code window}, at most {@code maxEvents}
     * of them, server-wide, and at most the {@linkplain #maxRecoveryMemory recovery memory}: a
     * client that missed an event no longer kept starts afresh, and is told so (in the Java client,
     * {@code recovered()} is false in {@code onOpen}). Memory: the kept events (bounded by {@link
     * #maxRecoveryMemory}), and a parked session's context, rooms and attributes. Each event is
     * handed to its recipients in one order (numbered under one lock, written through each
     * recipient's I/O thread), which costs a little more per event than without recovery; without
     * this call, nothing of it is paid.
     *
     * <p>With a {@link #backplane backplane} that supports it ({@code RedisBackplane}), sessions
     * and recent events live in the backplane's store and a client resumes on any node; the user
     * context travels as JSON (through the server's {@code ObjectMapper}) and the attributes stay
     * on the node that kept them. Default: off.
     *
     * @param window how long a dropped connection's session is kept; at least 1 ms, at most a day
     * @param maxEvents the most recent events kept, at least 1
     * @return this builder
     * @see <a href="https://github.com/zocket-dev/zocket-java/blob/main/docs/recovery.md">docs:
     *     Reconnects that lose nothing</a>
     */
    public Builder<H, U> recovery(Duration window, int maxEvents) {
      Objects.requireNonNull(window, "window == null");
      if (window.toMillis() < 1 || window.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("window must be from 1 ms to 1 day: " + window);
      }
      if (maxEvents < 1) {
        throw new IllegalArgumentException("maxEvents must be at least 1: " + maxEvents);
      }
      this.recoveryWindow = window;
      this.recoveryMaxEvents = maxEvents;
      return this;
    }

    /**
     * The heap the events kept for {@linkplain #recovery connection-state recovery} may take, in
     * bytes, beside the {@code maxEvents} of {@link #recovery}: each event counted as its JSON text
     * plus 140 bytes (its entry, position and array, measured) plus its target (48 bytes, and 56
     * plus two per character for each client or room id). An event that takes the store past it
     * drops the oldest events (itself too if it alone is larger, though it is still delivered), as
     * {@code maxEvents} does, so many large events cannot exhaust the heap: a client that missed a
     * dropped event starts afresh when it resumes. Such drops are counted ({@link
     * ZocketObserver#onRecoveryEvicted}) and logged at WARN, at most once a minute with how many
     * there were since. Applies to the server's own store; with a {@linkplain #backplane backplane}
     * that keeps the events (Redis), its store bounds them (see its documentation).
     *
     * <p>Default: an eighth of the maximum heap ({@code -Xmx}), so that with the defaults of {@link
     * #maxRoomMemory}, {@link #maxBacklogMemory} and {@link #maxInboundMemory} (a quarter each) the
     * server's budgets together take at most seven eighths of the heap, and an eighth is left to
     * the application, the parked sessions and the rest: 64 MiB of a 512 MiB heap, about 1,000
     * events of 60 KB. Set the four together when changing one.
     *
     * @param bytes the most bytes, positive
     * @return this builder
     */
    public Builder<H, U> maxRecoveryMemory(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRecoveryMemory must be positive: " + bytes);
      }
      this.maxRecoveryMemory = bytes;
      return this;
    }

    /**
     * Serves {@code wss://} with this TLS context, for example {@code
     * SslContextBuilder.forServer(keyManagerFactory).build()} from Netty. Default: plain {@code
     * ws://}. See also {@link #tls(Path, Path)} and {@link #tlsKeyStore(Path, char[])}.
     *
     * @param sslContext a server context
     * @throws IllegalArgumentException if it is a client context
     */
    public Builder<H, U> sslContext(SslContext sslContext) {
      Objects.requireNonNull(sslContext, "sslContext == null");
      if (!sslContext.isServer()) {
        throw new IllegalArgumentException("sslContext must be a server context: " + sslContext);
      }
      this.sslContext = sslContext;
      return this;
    }

    /**
     * Serves {@code wss://} with a certificate chain and its private key in PEM files: the chain
     * starts with the server's certificate ({@code -----BEGIN CERTIFICATE-----} blocks), the key is
     * an unencrypted PKCS#8 key ({@code -----BEGIN PRIVATE KEY-----}).
     *
     * @param certificateChainPem the PEM file of the certificate chain
     * @param privateKeyPem the PEM file of the private key
     * @throws IllegalArgumentException if the files cannot be read or do not match
     */
    public Builder<H, U> tls(Path certificateChainPem, Path privateKeyPem) {
      Objects.requireNonNull(certificateChainPem, "certificateChainPem == null");
      Objects.requireNonNull(privateKeyPem, "privateKeyPem == null");
      try {
        return sslContext(
            SslContextBuilder.forServer(certificateChainPem.toFile(), privateKeyPem.toFile())
                .build());
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot use the certificate chain '"
                + certificateChainPem
                + "' and private key '"
                + privateKeyPem
                + "': "
                + e.getMessage(),
            e);
      }
    }

    /**
     * Serves {@code wss://} with the key and certificate chain of a key store file (PKCS#12 or JKS,
     * detected from the file), whose store and key share one password.
     *
     * @param keyStore the key store file, holding one private key entry
     * @param password the password of the store and of its key
     * @throws IllegalArgumentException if the store cannot be read or holds no usable key
     */
    public Builder<H, U> tlsKeyStore(Path keyStore, char[] password) {
      Objects.requireNonNull(keyStore, "keyStore == null");
      Objects.requireNonNull(password, "password == null");
      try {
        KeyStore store = KeyStore.getInstance(keyStore.toFile(), password);
        KeyManagerFactory keys =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        return sslContext(SslContextBuilder.forServer(keys).build());
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Cannot use the key store '" + keyStore + "': " + e.getMessage(), e);
      }
    }

    /**
     * Whether to offer permessage-deflate compression (RFC 7692) to clients that ask for it.
     * Incoming compressed messages are inflated at most to {@link #maxFrameSize}: one that would
     * inflate beyond closes the connection with 1009, so a small "zip bomb" costs little memory.
     * Compression costs CPU and a few tens of kilobytes of memory per connection. Default off.
     */
    public Builder<H, U> compression(boolean compression) {
      this.compression = compression;
      return this;
    }

    /**
     * The web origins (such as {@code "https://chat.example.com"}) whose pages may open
     * connections, against cross-site WebSocket hijacking: a handshake whose {@code Origin} header
     * is not among them is answered 403. A handshake without {@code Origin} (not from a browser) is
     * accepted. {@code "*"} accepts any origin. Default: only the server's own origin, that is an
     * {@code Origin} whose host and port equal the request's {@code Host}.
     *
     * @param origins {@code scheme://host[:port]} each, or {@code "*"}
     * @throws IllegalArgumentException if an origin is not an http or https origin
     */
    public Builder<H, U> allowedOrigins(String... origins) {
      Objects.requireNonNull(origins, "origins == null");
      Set<String> set = new LinkedHashSet<>();
      for (String origin : origins) {
        Objects.requireNonNull(origin, "origin == null");
        String normalized = origin.equals("*") ? "*" : HostAndOrigin.normalizeOrigin(origin);
        if (normalized == null) {
          throw new IllegalArgumentException("Not an http(s) origin: '" + origin + "'");
        }
        set.add(normalized);
      }
      this.allowedOrigins = Set.copyOf(set);
      return this;
    }

    /**
     * The host names (such as {@code "chat.example.com"}) a request's {@code Host} header may name,
     * against DNS rebinding: a page served from an attacker's name that resolves to this server
     * would otherwise send {@code Origin} and {@code Host} that agree. A request for another host
     * is answered 403 with {@code {"error":"Host not allowed"}}, plain HTTP requests too. Ports are
     * not compared. Default: any host; set it for a server reached by names, or behind a proxy that
     * does not check them.
     *
     * @param hosts host names, IPv4 addresses or bracketed IPv6 addresses
     * @throws IllegalArgumentException if one is not a host name
     */
    public Builder<H, U> allowedHosts(String... hosts) {
      Objects.requireNonNull(hosts, "hosts == null");
      Set<String> set = new LinkedHashSet<>();
      for (String host : hosts) {
        Objects.requireNonNull(host, "host == null");
        String normalized = HostAndOrigin.normalizeOrigin("http://" + host.trim());
        String name = normalized == null ? "" : normalized.substring("http://".length());
        if (name.isEmpty() || name.lastIndexOf(':') > name.lastIndexOf(']')) {
          throw new IllegalArgumentException("Not a host name (without a port): '" + host + "'");
        }
        set.add(name);
      }
      this.allowedHosts = Set.copyOf(set);
      return this;
    }

    /**
     * The most sockets at once, counting every accepted one from the start, upgraded or still
     * sending its HTTP request. Beyond it a new socket's request is answered 503 with {@code
     * {"error":"Server is full"}} (a headroom of a tenth of the limit, at most 1,024, is read for
     * these answers; past it a new socket is closed at once), so the file descriptors the server
     * holds stay bounded. Default 10,000, or fewer when the process may open fewer files (four
     * fifths of its file limit less 256) or hold less of what no budget counts: per connection a
     * message being received and a read buffer, and the frames its socket has not taken yet while
     * it is not behind, up to the {@linkplain #writeBufferWaterMark high water mark} (beyond that
     * they count against {@link #maxBacklogMemory}). So the limit is at most the maximum direct
     * memory, {@code -XX:MaxDirectMemorySize}, by default the maximum heap, divided by twice the
     * {@linkplain #maxFrameSize frame size} plus the high water mark: 341 connections for a 128 MiB
     * heap, 1,365 for 512 MiB, 2,730 for 1 GiB, at the default frame size and water marks.
     */
    public Builder<H, U> maxConnections(int maxConnections) {
      this.maxConnections = positive("maxConnections", maxConnections);
      return this;
    }

    /**
     * The most sockets of one remote address at once, counted like {@link #maxConnections}; a
     * socket beyond it has its request answered 429 with {@code {"error":"Too many connections"}}.
     * Behind a proxy every client has the proxy's address: leave it off there. Default 0, no limit.
     */
    public Builder<H, U> maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      if (maxConnectionsPerAddress < 0) {
        throw new IllegalArgumentException(
            "maxConnectionsPerAddress must not be negative: " + maxConnectionsPerAddress);
      }
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
      return this;
    }

    /**
     * How long a socket may take to send a whole HTTP request (an upgrade, or each plain request of
     * a kept-alive connection), however slowly it drips, before it is closed. Default 10 s.
     */
    public Builder<H, U> handshakeTimeout(Duration handshakeTimeout) {
      Objects.requireNonNull(handshakeTimeout, "handshakeTimeout == null");
      if (handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "handshakeTimeout must be positive: " + handshakeTimeout);
      }
      this.handshakeTimeout = handshakeTimeout;
      return this;
    }

    /**
     * The most rooms one connection may be in; a further {@link dev.zocket.RoomSet#join} throws
     * {@link ZocketException} with code {@link dev.zocket.ErrorCodes#LIMIT_EXCEEDED} (answered to
     * the client when it comes from a call's handler). Default 100.
     */
    public Builder<H, U> maxRoomsPerConnection(int maxRoomsPerConnection) {
      this.maxRoomsPerConnection = positive("maxRoomsPerConnection", maxRoomsPerConnection);
      return this;
    }

    /**
     * The heap the rooms and their memberships of this server may take, in bytes, counted with
     * measured costs: 64 bytes per membership, and per room 160 bytes plus one per character of its
     * id (two if any is beyond Latin-1). A join beyond it fails: {@link dev.zocket.RoomSet#join}
     * throws {@link ZocketException} with code {@link dev.zocket.ErrorCodes#LIMIT_EXCEEDED}, which
     * a call's handler answers to the client, so many connections in many rooms with long ids
     * cannot exhaust the heap. Default: a quarter of the maximum heap ({@code -Xmx}).
     */
    public Builder<H, U> maxRoomMemory(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRoomMemory must be positive: " + bytes);
      }
      this.maxRoomMemory = bytes;
      return this;
    }

    /**
     * The memory the server may hold for all connections that are behind together, in bytes,
     * counted as {@link #slowConsumerLimits} counts one connection: events and replies in their
     * backlogs and in Netty's outbound buffers, and what connections already closing still hold
     * until their sockets close. While the total is past it, a connection that holds at least the
     * average of those behind is a slow consumer (closed with 1013 under the default {@linkplain
     * #slowConsumerPolicy policy}) as soon as more waits for it, and the socket of a slow consumer
     * is closed at once, releasing what it holds without waiting for the client to read up to the
     * close frame; so many stalled clients together cannot exhaust the memory, and a healthy client
     * that lags a little is not cut for them. A reply counts from the moment it is encoded (64 KiB
     * at a time while it grows, then until the I/O thread writes it): one that would take the total
     * past the budget is not encoded further, and its call is answered with the error {@code
     * LIMIT_EXCEEDED} ("The server's memory for replies is full; try again later"); a connection at
     * least as far behind as the average gets no more replies encoded while the budget is passed,
     * and is closed as a slow consumer instead. Not counted: what a connection that is not behind
     * holds (below the {@linkplain #writeBufferWaterMark high water mark}, see {@link
     * #maxConnections}). Default: a quarter of the maximum heap or of the maximum direct memory,
     * whichever is smaller.
     */
    public Builder<H, U> maxBacklogMemory(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBacklogMemory must be positive: " + bytes);
      }
      this.maxBacklogMemory = bytes;
      return this;
    }

    /**
     * The bytes of messages received and waiting for their handlers that all connections together
     * may hold. A connection is not read from while 1,024 of its messages, or 1 MiB of them, wait;
     * and while the server-wide total is past this budget, a connection that adds to it is not read
     * from until the total is back within it (it can pass the budget by one read, at most 64 KiB,
     * per connection). TCP then slows the clients down; nothing read is dropped. Default: a quarter
     * of the maximum heap.
     */
    public Builder<H, U> maxInboundMemory(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMemory must be positive: " + bytes);
      }
      this.maxInboundMemory = bytes;
      return this;
    }

    /**
     * The longest room id, in characters; a longer one makes {@link dev.zocket.RoomSet#join} throw
     * {@link ZocketException} with code {@link dev.zocket.ErrorCodes#LIMIT_EXCEEDED} (answered to
     * the client when thrown from a call's handler). Any shorter string is a room id, the empty one
     * included. Default 256.
     */
    public Builder<H, U> maxRoomIdLength(int maxRoomIdLength) {
      this.maxRoomIdLength = positive("maxRoomIdLength", maxRoomIdLength);
      return this;
    }

    /**
     * Limits the messages each connection may send: a token bucket that holds {@code burst}
     * messages and refills at {@code messagesPerSecond}. What happens beyond it is the {@linkplain
     * #rateLimitPolicy policy}'s: by default the connection is throttled (not read from until its
     * rate is back within the limit; nothing it sent is lost). {@code messagesPerSecond} 0 removes
     * the limit. Default: no limit; a connection whose messages arrive faster than its handlers run
     * is slowed down anyway, since it is not read from while 1,024 of its messages wait for their
     * handlers.
     *
     * @param messagesPerSecond the sustained rate, or 0 for no limit
     * @param burst the messages that may arrive at once; at least 1
     */
    public Builder<H, U> rateLimit(int messagesPerSecond, int burst) {
      if (messagesPerSecond < 0) {
        throw new IllegalArgumentException(
            "messagesPerSecond must not be negative: " + messagesPerSecond);
      }
      this.messageBurst = positive("burst", burst);
      this.messagesPerSecond = messagesPerSecond;
      return this;
    }

    /**
     * What happens to a message beyond the {@linkplain #rateLimit rate limit}; default {@link
     * RateLimitPolicy#THROTTLE}.
     */
    public Builder<H, U> rateLimitPolicy(RateLimitPolicy rateLimitPolicy) {
      this.rateLimitPolicy = Objects.requireNonNull(rateLimitPolicy, "rateLimitPolicy == null");
      return this;
    }

    /**
     * The most calls of one connection received and not yet answered (queued, running, or
     * completing asynchronously); a call beyond it is answered at once with the error {@link
     * dev.zocket.ErrorCodes#RATE_LIMITED} and not handled. Default 128.
     */
    public Builder<H, U> maxCallsInFlight(int maxCallsInFlight) {
      this.maxCallsInFlight = positive("maxCallsInFlight", maxCallsInFlight);
      return this;
    }

    /**
     * How long an acknowledged event (an event method returning {@code CompletableFuture<T>}, see
     * {@link dev.zocket.Emitter}) waits for the client's answer before its future fails with {@link
     * dev.zocket.ErrorCodes#TIMEOUT}, unless the method's {@link dev.zocket.CallTimeout} or the
     * emitter's {@link dev.zocket.Emitter#ackTimeout} says otherwise. Default 10 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder<H, U> ackTimeout(Duration ackTimeout) {
      Objects.requireNonNull(ackTimeout, "ackTimeout == null");
      if (ackTimeout.isNegative() || ackTimeout.isZero()) {
        throw new IllegalArgumentException("ackTimeout must be positive: " + ackTimeout);
      }
      this.ackTimeout = ackTimeout;
      return this;
    }

    /**
     * The most acknowledged events waiting for their answers, per connection and for the whole
     * server; an emit beyond either fails at once with {@link dev.zocket.ErrorCodes#LIMIT_EXCEEDED}
     * and nothing is sent. Each waiting event holds its future and a timer (a few hundred bytes)
     * until it is answered, times out or its connection closes. Defaults 64 and 65,536.
     *
     * @throws IllegalArgumentException if either is not positive
     */
    public Builder<H, U> maxPendingAcks(int perConnection, int perServer) {
      this.maxPendingAcksPerConnection = positive("perConnection", perConnection);
      this.maxPendingAcks = positive("perServer", perServer);
      return this;
    }

    /**
     * What happens to a client that reads more slowly than events are sent to it; default {@link
     * SlowConsumerPolicy#CLOSE}: closed with 1013 once past the {@linkplain #slowConsumerLimits
     * limits}. {@link SlowConsumerPolicy#DROP} skips events instead and counts them.
     */
    public Builder<H, U> slowConsumerPolicy(SlowConsumerPolicy slowConsumerPolicy) {
      this.slowConsumerPolicy =
          Objects.requireNonNull(slowConsumerPolicy, "slowConsumerPolicy == null");
      return this;
    }

    /**
     * How far a connection may fall behind before it is a slow consumer: the bytes of events and
     * replies the server may hold for it while it is behind, in its backlog and in Netty's outbound
     * buffer (see {@link #writeBufferWaterMark}), and how long it may be behind without reading
     * anything (a client that reads, however slowly, is not cut by time). A connection past either
     * is closed with 1013 under the default {@linkplain #slowConsumerPolicy policy}. Replies count
     * as events do: a client that does not read its replies stops being read, then is cut. The
     * bytes are the memory the connection holds at most: each frame waiting in the backlog counts
     * its buffer (which can be up to twice the frame) and 160 bytes of bookkeeping, Netty's buffer
     * what it has still to write and 96 bytes per frame, counted when the connection falls behind
     * and again whenever more is written to it; events sent to rooms share their buffers among all
     * the connections that wait for them, but count for each. Defaults: 64 MiB and 30 seconds:
     * seconds of a flood of 1 KB events at 16,000 a second, enough for the garbage collection
     * pauses and scheduling hiccups of a healthy client; the server-wide {@link #maxBacklogMemory}
     * bounds all backlogs together.
     *
     * @param maxBacklogBytes the most bytes waiting, at least 1
     * @param maxBehind the longest time behind without reading anything, positive
     */
    public Builder<H, U> slowConsumerLimits(int maxBacklogBytes, Duration maxBehind) {
      this.maxBacklogBytes = positive("maxBacklogBytes", maxBacklogBytes);
      Objects.requireNonNull(maxBehind, "maxBehind == null");
      if (maxBehind.isZero() || maxBehind.isNegative()) {
        throw new IllegalArgumentException("maxBehind must be positive: " + maxBehind);
      }
      this.maxBacklogTime = maxBehind;
      return this;
    }

    /**
     * The bounds of each connection's outbound buffer in Netty (bytes written but not yet taken by
     * the operating system, beyond its socket buffer): above {@code high} the connection is behind,
     * so further frames wait in its backlog (see {@link #slowConsumerLimits}), what Netty holds for
     * it counts against the slow-consumer limits and {@link #maxBacklogMemory}, and it is not read
     * from; below {@code low} the backlog is written again, and once it is empty the connection has
     * caught up. A single frame written below {@code high} (a large reply) may take the buffer far
     * above it: it is counted then. Below {@code high} a connection's buffer counts against no
     * budget but the default {@link #maxConnections}. Default 128 KiB and 256 KiB.
     *
     * @param low the low water mark, in bytes
     * @param high the high water mark, in bytes; at least {@code low}
     */
    public Builder<H, U> writeBufferWaterMark(int low, int high) {
      positive("low", low);
      if (high < low) {
        throw new IllegalArgumentException("high must be at least low (" + low + "): " + high);
      }
      this.writeBufferLow = low;
      this.writeBufferHigh = high;
      return this;
    }

    /**
     * Binds the port and starts serving. Returns once the server is accepting connections.
     *
     * @throws UncheckedIOException if the address cannot be bound
     * @throws IllegalStateException if the idle timeout is not longer than the ping interval, or
     *     the backplane's node id is not valid
     * @throws RuntimeException what the {@linkplain #backplane backplane} throws if it cannot start
     */
    public ZocketServer start() {
      if (!idleTimeout.isZero()
          && !pingInterval.isZero()
          && idleTimeout.compareTo(pingInterval) <= 0) {
        throw new IllegalStateException(
            "idleTimeout ("
                + idleTimeout
                + ") must be longer than pingInterval ("
                + pingInterval
                + ")");
      }
      return ServerAssembly.start(this);
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + d);
      }
      return d;
    }
  }
}
