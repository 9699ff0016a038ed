package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.ZocketException;
import dev.zocket.internal.Contract;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.JacksonVersionCheck;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.MethodInvoker;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteDescriptor;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import jakarta.validation.Validator;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

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
 * A client made with {@link Builder#build()} is {@link State#NEW} until {@link #connect()} (or
 * {@link #connectAsync()}); {@link Builder#connect()} builds and connects in one step. The client
 * is {@link State#CONNECTING} until the first handshake completes, then {@link State#OPEN}. When an
 * open connection drops, the client is {@link State#RECONNECTING} while it waits and retries (see
 * {@link ReconnectPolicy}), and {@code OPEN} again once a retry succeeds. {@link State#CLOSED} is
 * terminal: reached by {@link #close()}, by a failed first connect, by a drop with reconnect
 * disabled, by running out of attempts, or by a server that rejects the handshake. A closed client
 * cannot be reopened; build a new one. {@link Builder#onStateChange} is told of every change.
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
 * Builder#connect()} returns, then after every reconnect), so it is the place to join rooms; after
 * a reconnect to a server with connection-state recovery, {@link #recovered()} says whether the
 * session (rooms included) was resumed, and the rooms need joining only when it was not. {@code
 * onClose} runs once for every connection that was open, with the server's close code and reason,
 * {@code 1000} after {@link #close()}, or {@code 1006} when the connection was lost (the reason
 * says why, for example the idle timeout). {@code onError} reports failed reconnect attempts,
 * giving up, and events dropped because their payload did not bind or validate. The last callback a
 * client ever makes is {@code onClose} when it closes from {@code OPEN} for good, or {@code
 * onError} when it gives up reconnecting; after it the callback thread ends.
 *
 * <h2>Heartbeats: a dead connection is noticed</h2>
 *
 * The client answers the server's pings. When nothing at all arrives for half the {@linkplain
 * Builder#idleTimeout idle timeout} (15 s by default) it sends a WebSocket ping of its own, which
 * every server answers (v1 included); when nothing arrives for the other half either, it declares
 * the connection dead and closes it (then reconnects and resumes as for any drop, {@code onClose}
 * told {@code 1006} with the reason). So a connection that silently stopped carrying anything (a
 * sleeping laptop, a NAT that forgot it, a black hole) is noticed at most one idle timeout (30 s by
 * default) after the last byte from the server, without waiting for TCP to give up.
 *
 * <h2>Hooks</h2>
 *
 * {@link ClientInterceptor}s ({@link Builder#around}) run around every outgoing call and message
 * and every incoming event; {@link ClientObserver}s ({@link Builder#observer}) are told of
 * connections, failures, reconnects, recoveries, and every call with its latency and outcome, for
 * metrics ({@code zocket-micrometer}'s {@code ZocketClientMetrics}).
 *
 * <h2>Credentials</h2>
 *
 * A header given as a {@link java.util.function.Supplier} ({@link Builder#header(String,
 * java.util.function.Supplier)}) is asked for its value before every connect, so each reconnect
 * carries a fresh token. A server that refuses the handshake (400, 401, 403, an expired token for
 * example) is never asked again in a loop: the client closes for good and reports a {@link
 * HandshakeRejectedException} with the status and the server's message, to {@code onError}, to the
 * state listener (the change to {@code CLOSED}), and from {@link #connect()} when it was the first
 * connect. Only a full server (503) is retried.
 */
public final class ZocketClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  /**
   * The protocol version sent as the {@code x-zocket-version} query parameter: {@value}, the string
   * a Zocket v1 server expects (it logs a warning for any other). The extensions (recovery) are
   * negotiated by their own query parameters, not by this string.
   */
  public static final String PROTOCOL_VERSION = "0.1.0";

  /** The life cycle of a client; see the class documentation. */
  public enum State {
    /** Built with {@link Builder#build()}; {@link ZocketClient#connect()} has not been called. */
    NEW,
    /** The first connection is being made; {@link ZocketClient#connect()} has not returned. */
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

  /** Told of every change of a client's {@link State}. */
  @FunctionalInterface
  public interface StateListener {
    /**
     * Runs on the client's callback thread, once per change, in the order of the changes (with the
     * other callbacks: a change to {@code OPEN} is told before {@code onOpen} runs, a change away
     * from it before {@code onClose}). The client's {@link ZocketClient#state()} may have moved on
     * by then.
     *
     * @param from the state before
     * @param to the state now
     * @param cause why, for a change to {@code RECONNECTING} or {@code CLOSED} that the client did
     *     not choose: the connection's loss (code {@code DISCONNECTED}, the close code and reason
     *     in the message), a failed first connect, giving up reconnecting, or a {@link
     *     HandshakeRejectedException} (for example 401 for an expired token); null after {@link
     *     ZocketClient#close()} and for the other changes
     */
    void onStateChange(State from, State to, ZocketException cause);
  }

  private final URI uri;
  private final JsonCodec codec;
  private final PayloadValidator validator;
  private final boolean validate;
  private final CallbackThread callbacks;
  private final Transport transport;
  private final ConnectionLifecycle lifecycle;
  private final Outbound outbound;
  private final ClientHooks hooks;
  private final ConcurrentHashMap<Class<?>, Object> proxies = new ConcurrentHashMap<>();

  private ZocketClient(Builder b) {
    this.uri = b.uri;
    ObjectMapper mapper =
        JsonMappers.configure(
            b.objectMapper != null ? b.objectMapper : JsonMapper.builder().build(),
            JsonLimits.DEFAULTS);
    this.codec = new JsonCodec(mapper);
    this.validator = new PayloadValidator(mapper, b.validator);
    this.validate = b.validatePayloads;
    Map<String, EventRoute> events = new HashMap<>();
    b.events.forEach(
        (route, r) -> {
          codec.checkMappable(r.route());
          events.put(route, r.copy());
        });
    this.callbacks = new CallbackThread(uri);
    this.hooks = new ClientHooks(b.interceptors, b.observers);
    Resumption resumption = new Resumption(b.recovery);
    InboundRouter inbound =
        new InboundRouter(
            new MessageReader(codec, validator, validate),
            Map.copyOf(events),
            callbacks,
            b.onError,
            mapper,
            resumption,
            this,
            hooks,
            new AckAnswers(codec.writer(), validator, validate));
    Map<String, Supplier<String>> headers = b.headers;
    if (events.values().stream().anyMatch(e -> e.route().isCall())) {
      // It listens to acknowledged events: it tells the server it answers them.
      headers = new LinkedHashMap<>(b.headers);
      headers.putIfAbsent(Protocol.ACKS_HEADER, () -> "1");
    }
    this.transport =
        new Transport(
            uri,
            headers,
            b.sslContext,
            b.eventLoopGroup,
            b.connectTimeout,
            b.idleTimeout,
            b.maxMessageSize,
            mapper,
            inbound,
            resumption);
    Consumer<ZocketClient> onOpen = b.onOpen;
    this.lifecycle =
        new ConnectionLifecycle(
            uri,
            transport,
            callbacks,
            b.reconnect,
            b.retryFirstConnect,
            b.whileDisconnected,
            onOpen == null ? null : () -> onOpen.accept(this),
            b.onClose,
            b.onError,
            b.onStateChange,
            hooks);
    this.outbound = new Outbound(codec.writer(), lifecycle, b.callTimeout.toMillis(), callbacks);
  }

  /**
   * A builder for a client of the server at {@code uri}.
   *
   * @param uri {@code ws://host[:port][/path][?query]}, {@code wss://...}, or {@code
   *     local://name[/path][?query]} for a server in this JVM serving {@code inProcess} (its {@code
   *     uri()}): the same protocol over Netty's in-JVM local transport, without a socket
   * @return a new builder
   * @throws IllegalStateException if the {@code jackson-annotations} on the class path is older
   *     than Jackson 3 needs, with the version found and how to set the right one
   */
  public static Builder builder(URI uri) {
    JacksonVersionCheck.check();
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
   * future of an asynchronous call may be cancelled ({@code cancel(...)}): the call stops waiting
   * at once (its timeout too) and a reply that comes later is dropped; the server, told nothing
   * (the protocol has no message for it), still runs its handler.
   *
   * <p>A method returning {@code Flow.Publisher<T>} is a stream (extension): it returns a publisher
   * at once and sends nothing until it is subscribed to; each subscription starts the stream anew
   * on the open connection. The subscriber's {@code request(n)} becomes credits granted to the
   * server, at most 32 items ahead of what arrived and never more than requested; {@code cancel()}
   * cancels the server's publisher. Every signal of the subscriber runs on the callback thread, one
   * at a time and in order with the events; {@code request} and {@code cancel} may be called from
   * any thread. The stream fails ({@code onError}) with a {@link ZocketException}: the server's
   * code, {@code TIMEOUT} when its start is not answered within the call timeout, or {@code
   * DISCONNECTED} when there is no connection or it closes (a stream is not resumed after a
   * reconnect). Streams do not pass through the client's interceptors and observers.
   *
   * <p>The proxy answers {@code equals}, {@code hashCode} and {@code toString} itself and runs
   * {@code default} methods as written.
   *
   * @param <T> the contract type
   * @param contract the contract interface
   * @return the proxy
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
    InvocationHandler handler =
        new ContractProxy(contract, this, outbound, transport, validator, validate, hooks);
    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /**
   * Whether the open connection resumed the session of the one that dropped: the server kept this
   * client's id, user context and rooms and sent it every event it missed, in order (a server built
   * with {@code recovery(...)}). Read it in {@code onOpen}: when false, the connection started a
   * fresh session (the first connection; a server without recovery; or the client came back too
   * late, or missed more events than the server keeps), and the client joins its rooms again. Any
   * thread.
   *
   * @return whether the connection of the last {@code onOpen} resumed its session (it may have
   *     dropped since); false before the first one
   */
  public boolean recovered() {
    return lifecycle.recovered();
  }

  /**
   * Starts connecting a client made with {@link Builder#build()}, and blocks until the connection
   * is open and {@code onOpen} has returned. Called again, or on a client that is connecting or
   * open already, it waits for the first connection as the first call does (or returns at once).
   *
   * @return this client
   * @throws HandshakeRejectedException if the server refused the upgrade (the message quotes the
   *     status and body)
   * @throws ZocketException with code {@code DISCONNECTED} or {@code TIMEOUT} if the server could
   *     not be reached or the client was closed; the client is closed then
   * @throws IllegalStateException when called on the client's callback or I/O thread before the
   *     first connection opened, where it could never return
   */
  public ZocketClient connect() {
    return await(connectAsync(), false);
  }

  /**
   * Starts connecting a client made with {@link Builder#build()}; returns at once. The future
   * completes on the client's callback thread once the connection is open and {@code onOpen} has
   * returned, or fails as {@link #connect()} would throw. Called again, it returns a future of the
   * same first connection.
   *
   * @return a future of the connected client
   */
  public CompletableFuture<ZocketClient> connectAsync() {
    lifecycle.connect();
    return lifecycle.firstOpen().thenApply(open -> this);
  }

  private ZocketClient await(CompletableFuture<ZocketClient> f, boolean closeOnInterrupt) {
    if (!f.isDone() && (callbacks.isCurrent() || transport.onIoThread())) {
      throw new IllegalStateException(
          "connect() on the client's own callback or I/O thread would never return; use"
              + " connectAsync()");
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (closeOnInterrupt) {
        close();
      }
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
   * The state now; it may change at any moment. Any thread.
   *
   * @return the current state
   */
  public State state() {
    return lifecycle.state();
  }

  /**
   * The URI the client was built with (without the header query parameters).
   *
   * @return the server's URI
   */
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
    lifecycle.close();
    if (callbacks.isCurrent() || transport.onIoThread()) {
      return;
    }
    try {
      callbacks.terminated().get(5, TimeUnit.SECONDS);
      transport.awaitShutdown(5, TimeUnit.SECONDS);
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

  // ------------------------------------------------------------------ builder

  /**
   * Configures a {@link ZocketClient}. Not thread-safe; the client copies what it needs, so a
   * builder may be reused for another client.
   */
  public static final class Builder {
    private final URI uri;
    private final Map<String, Supplier<String>> headers = new LinkedHashMap<>();
    private final List<ClientInterceptor> interceptors = new ArrayList<>();
    private final List<ClientObserver> observers = new ArrayList<>();
    private StateListener onStateChange;
    private final Map<String, EventRoute> events = new HashMap<>();
    private Consumer<ZocketClient> onOpen;
    private CloseListener onClose;
    private Consumer<Throwable> onError;
    private Duration callTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private boolean validatePayloads = true;
    private Validator validator;
    private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
    private boolean retryFirstConnect;
    private boolean recovery = true;
    private WhileDisconnected whileDisconnected = WhileDisconnected.fail();
    private SslContext sslContext;
    private ObjectMapper objectMapper;
    private int maxMessageSize = 1 << 20;
    private EventLoopGroup eventLoopGroup;

    private Builder(URI uri) {
      Objects.requireNonNull(uri, "uri == null");
      String scheme = Transport.scheme(uri);
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
     *
     * @param name the header name
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, String value) {
      Objects.requireNonNull(value, "value == null");
      return header(name, () -> value);
    }

    /**
     * A connection header whose value is asked for before every connect (the first and each
     * reconnect), for credentials that change: a short-lived token is sent fresh each time. Sent as
     * a URL query parameter as {@link #header(String, String)} is; setting a name again replaces
     * it. A null value leaves the header out of that connect. A supplier that throws fails that
     * connect attempt (code {@code DISCONNECTED}, the exception as its cause), which is reported to
     * {@code onError} and retried as any failed attempt.
     *
     * <p>Threading: called on the thread that starts the attempt: the caller of {@code connect()}
     * for the first one, the client's I/O thread for reconnects; it must not block (keep the
     * current token where the supplier can read it, and refresh it elsewhere).
     *
     * <p>A server that refuses the handshake (for example 401 for an expired token) is not asked
     * again: the client closes with a {@link HandshakeRejectedException}; see the class
     * documentation.
     *
     * @param name the header name
     * @param value its value
     * @return this builder
     */
    public Builder header(String name, Supplier<String> value) {
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
     * <p><b>Acknowledged events.</b> A method returning {@code CompletableFuture<T>} is an event
     * the server waits for an answer to (see {@link dev.zocket.Emitter}): its one listener returns
     * the answer's stage, which may complete later on any thread; its value is validated (see
     * {@link #validatePayloads}) and sent back. A listener that throws, or whose stage fails, is
     * answered with that {@link dev.zocket.ZocketException}'s code and message (anything else as
     * {@code INTERNAL}, logged at warn); an acknowledged event nobody listens to is answered {@code
     * NOT_FOUND}. Interceptors see it as an {@code EVENT} whose {@code proceed} returns the
     * listener's stage. A client with a listener of an acknowledged event tells the server, when it
     * connects, that it answers them ({@code x-zocket-acks=1}); without one it is never sent any.
     *
     * @param <E> the event contract type
     * @param events the event contract interface
     * @param listener the listener
     * @return this builder
     * @throws dev.zocket.ContractException if the interface breaks a contract rule
     * @throws IllegalArgumentException if another registered interface maps the same route to a
     *     different payload type, or an acknowledged event's route has a listener already
     */
    public <E> Builder on(Class<E> events, E listener) {
      Objects.requireNonNull(events, "events == null");
      Objects.requireNonNull(listener, "listener == null");
      Contract contract = Contracts.events(events);
      Map<RouteDescriptor, MethodInvoker> invokers = new LinkedHashMap<>();
      for (RouteDescriptor route : contract.routes()) {
        EventRoute existing = this.events.get(route.route());
        if (existing != null && (existing.route().isCall() || route.isCall())) {
          throw new IllegalArgumentException(
              "Event "
                  + route.route()
                  + " is acknowledged by "
                  + (existing.route().isCall() ? existing.route() : route).methodName()
                  + ": it has one listener, whose answer is sent, but "
                  + existing.route().methodName()
                  + " already listens to it");
        }
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
     *
     * @param onOpen runs after every handshake
     * @return this builder
     */
    public Builder onOpen(Consumer<ZocketClient> onOpen) {
      this.onOpen = Objects.requireNonNull(onOpen, "onOpen == null");
      return this;
    }

    /**
     * Runs on the callback thread when a connection that was open closes; see {@link
     * CloseListener}.
     *
     * @param onClose runs when an open connection closes
     * @return this builder
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
     *
     * @param onError receives the errors
     * @return this builder
     */
    public Builder onError(Consumer<Throwable> onError) {
      this.onError = Objects.requireNonNull(onError, "onError == null");
      return this;
    }

    /**
     * Runs on the callback thread with every change of the client's {@link State}, in order; see
     * {@link StateListener}.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder onStateChange(StateListener listener) {
      this.onStateChange = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Adds an interceptor around every outgoing call and message and every incoming event;
     * interceptors nest in the order they are added, the first outermost. See {@link
     * ClientInterceptor} for what it may do and its threads.
     *
     * @param interceptor the interceptor
     * @return this builder
     */
    public Builder around(ClientInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor == null"));
      return this;
    }

    /**
     * Adds an observer, told of connections, failed connects, reconnect attempts, recoveries, calls
     * (route, latency, error code), messages sent and events received; observers are told in the
     * order they are added. See {@link ClientObserver} for its threads.
     *
     * @param observer the observer
     * @return this builder
     */
    public Builder observer(ClientObserver observer) {
      observers.add(Objects.requireNonNull(observer, "observer == null"));
      return this;
    }

    /**
     * How long a call waits for its reply before failing with {@code TIMEOUT}; 10 s by default.
     * {@link dev.zocket.CallTimeout} on a method overrides it for that method.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive("callTimeout", timeout);
      return this;
    }

    /**
     * How long a connect attempt (TCP, TLS and the handshake, each) may take; 10 s by default.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      Duration t = positive("connectTimeout", timeout);
      if (t.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("connectTimeout is too long: " + timeout);
      }
      this.connectTimeout = t;
      return this;
    }

    /**
     * How long the connection may stay silent before it is taken for dead; 30 s by default. After
     * half of it without a byte from the server the client sends a WebSocket ping (every server
     * answers it); after the other half without a byte either, it closes the connection ({@code
     * onClose} gets {@code 1006} and the reason) and reconnects as for any drop, resuming the
     * session with recovery on. So a dead connection is noticed at most this long after the last
     * byte from the server. {@link Duration#ZERO} turns both off.
     *
     * @param timeout the timeout
     * @return this builder
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
     *
     * @param validate whether to validate
     * @return this builder
     */
    public Builder validatePayloads(boolean validate) {
      this.validatePayloads = validate;
      return this;
    }

    /**
     * The Bean Validation validator that checks outgoing payloads, incoming events and replies,
     * instead of Zocket's own (Hibernate Validator without expression language, English messages):
     * for an application's message interpolator, constraint validator factory or custom
     * constraints. It must be thread-safe, as {@code Validator}s are: it is called on the threads
     * that call proxies and on the client's I/O thread.
     *
     * @param validator the validator to use
     * @return this builder
     */
    public Builder validator(Validator validator) {
      this.validator = Objects.requireNonNull(validator, "validator == null");
      return this;
    }

    /**
     * When to reconnect after a drop; {@link ReconnectPolicy#exponential} from 500 ms to 30 s by
     * default.
     *
     * @param policy the policy
     * @return this builder
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
     *
     * @param retry whether to retry
     * @return this builder
     */
    public Builder retryFirstConnect(boolean retry) {
      this.retryFirstConnect = retry;
      return this;
    }

    /**
     * Whether the client resumes its session after a drop, with a server built with {@code
     * recovery(...)}: on by default. The client then asks every server for it ({@code
     * x-zocket-recovery=1}), keeps the session the server gives and the position of the last event
     * received, and sends them back when it reconnects, waiting (at most the {@linkplain
     * #connectTimeout connect timeout}) for the server's answer before {@code onOpen}; {@link
     * ZocketClient#recovered()} tells whether the session was resumed. Off: no recovery query
     * parameters, and every reconnect starts a fresh session.
     *
     * @param recovery whether to resume sessions
     * @return this builder
     */
    public Builder recovery(boolean recovery) {
      this.recovery = recovery;
      return this;
    }

    /**
     * What sends do while not connected; {@link WhileDisconnected#fail()} by default.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder whileDisconnected(WhileDisconnected policy) {
      this.whileDisconnected = Objects.requireNonNull(policy, "policy == null");
      return this;
    }

    /**
     * The TLS settings for {@code wss://}; by default the JDK's trust store with host name
     * verification. Build one with Netty's {@code SslContextBuilder.forClient()}.
     *
     * @param sslContext a client TLS context
     * @return this builder
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
     * The Jackson 3 mapper to start from, as the server's: its settings, modules and naming
     * strategy apply to payloads. It must be a {@link JsonMapper} (Spring Boot's, or {@code
     * JsonMapper.builder()...build()}). Zocket builds a mapper of its own from this one's
     * configuration ({@link ObjectMapper#rebuild()}) with its settings on top: {@code java.time} as
     * ISO-8601 strings, enums by their names, properties in declaration order, unknown properties
     * ignored, duplicate keys refused, the JSON limits, and the strict binding rules of {@link
     * dev.zocket.JsonBinding}. The given mapper is not changed. Default: {@code
     * JsonMapper.builder().build()}.
     *
     * @param mapper the mapper to start from
     * @return this builder
     * @throws IllegalArgumentException if the mapper is not a {@link JsonMapper}
     */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = JsonMappers.requireJson(Objects.requireNonNull(mapper, "mapper == null"));
      return this;
    }

    /**
     * Runs the client's I/O on a shared NIO group ({@code new MultiThreadIoEventLoopGroup(n,
     * NioIoHandler.newFactory())}) instead of a thread of its own; useful with many clients in one
     * process. The client never shuts the group down; the caller does, after closing its clients.
     * By default each client owns one daemon I/O thread. A client of a {@code local://} server
     * needs a group of {@code LocalIoHandler}s instead.
     *
     * @param group the shared event loop group
     * @return this builder
     */
    public Builder eventLoopGroup(EventLoopGroup group) {
      Objects.requireNonNull(group, "group == null");
      if (group.isShuttingDown()) {
        throw new IllegalArgumentException("group is shutting down: " + group);
      }
      this.eventLoopGroup = group;
      return this;
    }

    /**
     * The largest message the client accepts from the server, in bytes; 1 MiB by default.
     *
     * @param bytes the size in bytes
     * @return this builder
     */
    public Builder maxMessageSize(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageSize must be positive: " + bytes);
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /**
     * Builds the client without connecting: it is {@link State#NEW} until its {@link
     * ZocketClient#connect()} or {@link ZocketClient#connectAsync()}. Close it even if it never
     * connects: it holds its threads from now on.
     *
     * @return the client, not connected
     */
    public ZocketClient build() {
      return new ZocketClient(this);
    }

    /**
     * Builds the client and connects, blocking until the connection is open and {@code onOpen} has
     * returned.
     *
     * @return the connected client
     * @throws HandshakeRejectedException if the server refused the upgrade (the message quotes the
     *     status and body)
     * @throws ZocketException with code {@code DISCONNECTED} or {@code TIMEOUT} if the server could
     *     not be reached; the client is closed then
     */
    public ZocketClient connect() {
      ZocketClient client = build();
      return client.await(client.connectAsync(), true);
    }

    /**
     * Builds the client and starts connecting; returns at once. The future completes on the
     * client's callback thread once the connection is open and {@code onOpen} has returned, or
     * fails as {@link #connect()} would throw.
     *
     * @return a future of the connected client
     */
    public CompletableFuture<ZocketClient> connectAsync() {
      return build().connectAsync();
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
