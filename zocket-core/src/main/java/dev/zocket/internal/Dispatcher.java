package dev.zocket.internal;

import dev.zocket.AroundInterceptor;
import dev.zocket.Context;
import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.Interceptor;
import dev.zocket.InvalidPayloadException;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.spi.ZocketObserver;
import dev.zocket.spi.ZocketObserver.MessageKind;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

/**
 * Turns incoming frames into handler calls, independently of the transport. Work is split in two so
 * a transport can decode on its I/O thread and run handlers elsewhere:
 *
 * <ol>
 *   <li>{@link #decode}: read the frame with the {@link MessageReader} the client shares (parse the
 *       envelope, find the route, bind and validate the payload). CPU only, never blocks, never
 *       throws.
 *   <li>{@link #handle}: run the interceptors and the handler, and answer a call with its result or
 *       error. Never throws.
 * </ol>
 *
 * <p>With observers, {@code decode} reports each message it returns as received and {@code handle}
 * reports it as handled, with the time it waited in between and the time it took; without, neither
 * reads the clock.
 *
 * <p>Thread-safe; the transport must call {@code handle} for one connection one frame at a time, in
 * order.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** The type of a stream credit's payload: a JSON integer. */
  private static final JavaType CREDIT =
      TypeFactory.createDefaultInstance().constructType(Long.class);

  /** Handlers' failures: a client may well make a handler fail in a loop. */
  private final RateLimitedLog failures = new RateLimitedLog(log);

  private final RouteTable routes;
  private final MessageReader reader;
  private final EnvelopeWriter writer;
  private final Interceptor[] interceptors;
  private final AroundInterceptor[] arounds;
  private final Drops drops;
  private final Observers observers;

  /**
   * A dispatcher without around interceptors and observers.
   *
   * @param routes the routes and handler factories
   * @param codec reads and writes envelopes
   * @param validator checks payloads
   * @param interceptors run before every handler, in order
   * @param drops counts the frames {@link #decode} drops
   */
  public Dispatcher(
      RouteTable routes,
      JsonCodec codec,
      PayloadValidator validator,
      List<Interceptor> interceptors,
      Drops drops) {
    this(routes, codec, validator, interceptors, List.of(), drops, Observers.NONE);
  }

  /**
   * @param routes the routes and handler factories
   * @param codec reads and writes envelopes
   * @param validator checks payloads
   * @param interceptors run before every handler, in order
   * @param arounds run around every handler, after the interceptors, the first outermost
   * @param drops counts the frames {@link #decode} drops
   * @param observers told of every message received and handled
   */
  public Dispatcher(
      RouteTable routes,
      JsonCodec codec,
      PayloadValidator validator,
      List<Interceptor> interceptors,
      List<AroundInterceptor> arounds,
      Drops drops,
      Observers observers) {
    this.routes = routes;
    this.reader = new MessageReader(codec, validator, true);
    this.writer = codec.writer();
    this.interceptors = interceptors.toArray(new Interceptor[0]);
    this.arounds = arounds.toArray(new AroundInterceptor[0]);
    this.drops = drops;
    this.observers = observers;
  }

  /** The route table. */
  public RouteTable routes() {
    return routes;
  }

  /**
   * Writes the envelopes this dispatcher answers with; a transport writes streams' frames with it.
   */
  public EnvelopeWriter writer() {
    return writer;
  }

  /**
   * Decodes and handles one frame on the calling thread.
   *
   * @param connection the sender
   * @param data the frame's bytes
   */
  public void dispatch(Connection connection, byte[] data, int offset, int length) {
    Inbound in = decode(data, offset, length);
    if (in != null) {
      handle(connection, in);
    }
  }

  /**
   * Decodes one frame into a message ready for {@link #handle}, or returns null when the frame is
   * dropped (not an envelope, or a bad message without {@code rpcId}); drops are counted by reason
   * and logged at debug.
   */
  public Inbound decode(byte[] data, int offset, int length) {
    Inbound in = read(data, offset, length);
    if (in != null && in.control == null && observers.enabled) {
      in.receivedAt = System.nanoTime();
      observers.onMessageReceived(in.observedRoute(), in.kind());
    }
    return in;
  }

  private Inbound read(byte[] data, int offset, int length) {
    MessageReader.Message<RouteTable.Binding> message = reader.read(data, offset, length, routes);
    if (message == null) {
      drops.count(DropReason.MALFORMED);
      return null;
    }
    String rpcId = message.rpcId();
    RouteTable.Binding binding = message.route();
    if (binding == null && isStreamControl(message.type())) {
      return streamControl(message, length);
    }
    if (binding != null && binding.route.isStream() && rpcId == null) {
      drops.count(DropReason.INVALID_PAYLOAD);
      log.debug("Dropped the start of stream '{}' without an rpcId", binding.route.route());
      return null;
    }
    if (binding == null) { // replies too: a server makes no calls
      if (rpcId == null) {
        drops.count(DropReason.UNKNOWN_ROUTE);
        log.debug("Dropped a message for unknown route '{}'", LogSafe.text(message.type()));
        return null;
      }
      return Inbound.error(
          message.type(),
          false,
          rpcId,
          new ZocketException(ErrorCodes.NOT_FOUND, "No route '" + message.type() + "'"),
          length);
    }
    String route = binding.route.route();
    ZocketException refused = message.error();
    if (refused == null) {
      return new Inbound(binding, route, true, rpcId, message.payload(), null, length);
    }
    if (rpcId != null) {
      return Inbound.error(route, true, rpcId, refused, length);
    }
    if (refused instanceof InvalidPayloadException) {
      drops.count(DropReason.INVALID_PAYLOAD);
      log.debug(
          "Dropped a message for '{}': {} {}",
          route,
          refused.getMessage(),
          LogSafe.text(refused.details().toString()));
    } else {
      drops.count(DropReason.INTERNAL_ERROR); // the reader logged why
    }
    return null;
  }

  private static boolean isStreamControl(String type) {
    return Protocol.STREAM_CREDIT_TYPE.equals(type) || Protocol.STREAM_CANCEL_TYPE.equals(type);
  }

  /**
   * A stream's credit or cancel (extension), for the transport to apply at once; without an rpcId
   * it names no stream and is dropped. A credit that is not a positive integer is kept as 0, which
   * the transport answers by failing the stream with {@code INVALID_PAYLOAD}.
   */
  private Inbound streamControl(MessageReader.Message<RouteTable.Binding> message, int length) {
    String rpcId = message.rpcId();
    if (rpcId == null) {
      drops.count(DropReason.MALFORMED);
      log.debug("Dropped a '{}' without an rpcId", message.type());
      return null;
    }
    long credit = 0;
    if (Protocol.STREAM_CREDIT_TYPE.equals(message.type())) {
      try {
        Object n = reader.protocolPayload(message, CREDIT);
        credit = n instanceof Long l && l > 0 ? l : 0;
      } catch (RuntimeException e) {
        credit = 0;
      }
    }
    return Inbound.control(message.type(), rpcId, credit, length);
  }

  /**
   * Runs the interceptors and the handler of a decoded message and answers a call, with the MDC
   * keys of {@link Context} set meanwhile. Exceptions are answered (for calls) and logged, never
   * thrown.
   */
  public void handle(Connection connection, Inbound in) {
    long started = observers.enabled ? System.nanoTime() : 0;
    if (in.error != null) {
      reject(connection, in.rpcId, in.error);
      handled(in, started, in.error.code());
      return;
    }
    if (in.control != null) { // a stream's credit or cancel the transport did not take
      reject(
          connection,
          in.rpcId,
          new ZocketException(ErrorCodes.NOT_FOUND, "No route '" + in.control + "'"));
      return;
    }
    MDC.put(Context.MDC_CLIENT_ID, connection.context().clientId());
    MDC.put(Context.MDC_ROUTE, in.route);
    try {
      run(connection, in, started);
    } finally {
      MDC.remove(Context.MDC_CLIENT_ID);
      MDC.remove(Context.MDC_ROUTE);
    }
  }

  private void run(Connection connection, Inbound in, long started) {
    String rpcId = in.rpcId;
    RouteDescriptor route = in.binding.route;
    Object result;
    try {
      Context<?> context = connection.context();
      for (Interceptor interceptor : interceptors) {
        interceptor.intercept(context, route.route(), in.payload);
      }
      Object handler = connection.handler(in.binding.handlerIndex);
      result =
          arounds.length == 0
              ? in.binding.invoker.invoke(handler, in.payload)
              : new Chain(context, in, handler).proceed();
    } catch (Throwable t) {
      String code = fail(connection, route, rpcId, unwrap(t));
      if (route.isStream()) {
        connection.streamRefused(rpcId);
      }
      handled(in, started, code);
      return;
    }
    if (route.isStream()) {
      handled(in, started, stream(connection, route, rpcId, result));
      return;
    }
    if (rpcId == null) {
      if (result instanceof CompletionStage<?> stage) {
        stage.whenComplete(
            (v, t) -> handled(in, started, t == null ? null : logFailure(route, unwrap(t)).code()));
      } else {
        handled(in, started, null);
      }
      return;
    }
    if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete(
          (v, t) ->
              handled(
                  in,
                  started,
                  t != null
                      ? fail(connection, route, rpcId, unwrap(t))
                      : reply(connection, route, rpcId, v)));
    } else {
      handled(in, started, reply(connection, route, rpcId, result));
    }
  }

  /**
   * Answers a decoded call with an error instead of handling it (a limit was hit), reporting it as
   * handled with that error. Any thread.
   *
   * @throws RuntimeException what {@link Connection#send} throws
   */
  public void refuse(Connection connection, Inbound in, ZocketException error) {
    long started = observers.enabled ? System.nanoTime() : 0;
    reject(connection, in.rpcId, error);
    handled(in, started, error.code());
  }

  /** Tells the observers, if any, that a message was handled; {@code code} null for success. */
  private void handled(Inbound in, long started, String code) {
    if (observers.enabled) {
      observers.onMessageHandled(
          in.observedRoute(),
          in.kind(),
          started - in.receivedAt,
          System.nanoTime() - started,
          code);
    }
  }

  /** Answers a call with its result; returns null, or the error code answered instead. */
  private String reply(Connection connection, RouteDescriptor route, String rpcId, Object value) {
    boolean hasPayload = route.hasReplyPayload();
    try {
      connection.send(
          out -> writer.writeEnvelope(out, Protocol.REPLY_TYPE, value, hasPayload, rpcId));
      return null;
    } catch (RuntimeException e) {
      // the value could not be serialized: nothing was sent
      return fail(connection, route, rpcId, e);
    }
  }

  /**
   * Hands the publisher a stream's handler returned to the transport, which answers the start and
   * subscribes; returns null, or the error code the start was answered with instead.
   */
  private String stream(Connection connection, RouteDescriptor route, String rpcId, Object result) {
    try {
      if (!(result instanceof Flow.Publisher<?> publisher)) {
        throw new IllegalStateException(
            "The handler of stream "
                + route.methodName()
                + " returned null instead of a publisher");
      }
      connection.openStream(rpcId, route, publisher);
      return null;
    } catch (RuntimeException e) {
      String code = fail(connection, route, rpcId, e);
      connection.streamRefused(rpcId);
      return code;
    }
  }

  /** Logs a handler's failure, answers a call with it, and returns its error code. */
  private String fail(Connection connection, RouteDescriptor route, String rpcId, Throwable t) {
    ZocketException error = logFailure(route, t);
    if (rpcId != null) {
      reject(connection, rpcId, error);
    }
    return error.code();
  }

  /**
   * Answers a call with an error without handling it: the one place error replies are written, for
   * the dispatcher's own answers (no such route, a refused payload, a failed handler) and for the
   * transport's (a limit was hit). Any thread.
   *
   * @throws RuntimeException what {@link Connection#send} throws
   */
  public void reject(Connection connection, String rpcId, ZocketException error) {
    connection.send(out -> writer.writeError(out, rpcId, error));
  }

  private ZocketException logFailure(RouteDescriptor route, Throwable t) {
    if (t instanceof ZocketException z) {
      log.debug(
          "Handler for '{}' answered {}: {}",
          route.route(),
          LogSafe.text(z.code()),
          LogSafe.text(z.getMessage()));
      return z;
    }
    failures.error("Handler for '{}' ({}) failed", route.route(), route.methodName(), t);
    if (t instanceof VirtualMachineError e && !(t instanceof StackOverflowError)) {
      throw e; // out of memory and the like: the JVM is in trouble, let the transport see it
    }
    return new ZocketException(ErrorCodes.INTERNAL, "Internal error");
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The around interceptors of one message, then its handler. */
  private final class Chain implements AroundInterceptor.Invocation {
    private final Context<?> context;
    private final Inbound in;
    private final Object handler;
    private int next;

    Chain(Context<?> context, Inbound in, Object handler) {
      this.context = context;
      this.in = in;
      this.handler = handler;
    }

    @Override
    public Context<?> context() {
      return context;
    }

    @Override
    public String route() {
      return in.route;
    }

    @Override
    public Object payload() {
      return in.payload;
    }

    @Override
    public boolean isCall() {
      return in.rpcId != null;
    }

    @Override
    public Object proceed() {
      if (next < arounds.length) {
        return arounds[next++].intercept(this);
      }
      try {
        return in.binding.invoker.invoke(handler, in.payload);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) { // a checked exception thrown regardless of the contract
        throw new CompletionException(t);
      }
    }

    @Override
    public String toString() {
      return "Invocation(" + in.route + ")";
    }
  }

  /** A decoded message waiting for {@link #handle}. */
  public static final class Inbound {
    final RouteTable.Binding binding;
    final String route;
    final boolean known;
    final String rpcId;
    final Object payload;
    final ZocketException error;
    final int size;

    /** The type of a stream's credit or cancel (extension), or null for any other message. */
    final String control;

    /** A stream credit's count, 0 when it was not a positive integer. */
    final long credit;

    /** When {@link #decode} returned it, with observers only. */
    long receivedAt;

    Inbound(
        RouteTable.Binding binding,
        String route,
        boolean known,
        String rpcId,
        Object payload,
        ZocketException error,
        int size) {
      this.binding = binding;
      this.route = route;
      this.known = known;
      this.rpcId = rpcId;
      this.payload = payload;
      this.error = error;
      this.size = size;
      this.control = null;
      this.credit = 0;
    }

    private Inbound(String control, String rpcId, long credit, int size) {
      this.binding = null;
      this.route = control;
      this.known = false;
      this.rpcId = rpcId;
      this.payload = null;
      this.error = null;
      this.size = size;
      this.control = control;
      this.credit = credit;
    }

    static Inbound control(String type, String rpcId, long credit, int size) {
      return new Inbound(type, rpcId, credit, size);
    }

    /**
     * The type of a stream's credit or cancel ({@link Protocol#STREAM_CREDIT_TYPE}, {@link
     * Protocol#STREAM_CANCEL_TYPE}) for the transport to apply on its I/O thread, or null for any
     * other message. Handled like an unknown route if handed to {@link #handle}.
     */
    public String streamControl() {
      return control;
    }

    /** A stream credit's count of items, or 0 when the credit was not a positive integer. */
    public long credit() {
      return credit;
    }

    /** Whether this message starts a stream (its route is a {@code Flow.Publisher} method). */
    public boolean startsStream() {
      return binding != null && binding.route.isStream();
    }

    static Inbound error(
        String route, boolean known, String rpcId, ZocketException error, int size) {
      return new Inbound(null, route, known, rpcId, null, error, size);
    }

    /** The route as observers see it: a route the server does not have is not named. */
    String observedRoute() {
      return known ? route : ZocketObserver.UNKNOWN_ROUTE;
    }

    MessageKind kind() {
      return rpcId == null ? MessageKind.MESSAGE : MessageKind.CALL;
    }

    /** The size of the frame it was read from, in bytes: what it weighs while it waits. */
    public int size() {
      return size;
    }

    /** The route named by the frame. */
    public String route() {
      return route;
    }

    /** The call's id, or null for a message that expects no answer. */
    public String rpcId() {
      return rpcId;
    }

    /** Whether handling it never blocks: an error answer, or a {@code @NonBlocking} route. */
    public boolean nonBlocking() {
      return binding == null || binding.route.nonBlocking();
    }
  }
}
