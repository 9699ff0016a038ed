package dev.zocket.internal;

import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.Interceptor;
import dev.zocket.InvalidPayloadException;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Thread-safe; the transport must call {@code handle} for one connection one frame at a time, in
 * order.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final RouteTable routes;
  private final MessageReader reader;
  private final EnvelopeWriter writer;
  private final Interceptor[] interceptors;
  private final Drops drops;

  /**
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
    this.routes = routes;
    this.reader = new MessageReader(codec, validator, true);
    this.writer = codec.writer();
    this.interceptors = interceptors.toArray(new Interceptor[0]);
    this.drops = drops;
  }

  /** The route table. */
  public RouteTable routes() {
    return routes;
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
    MessageReader.Message<RouteTable.Binding> message = reader.read(data, offset, length, routes);
    if (message == null) {
      drops.count(DropReason.MALFORMED);
      return null;
    }
    String rpcId = message.rpcId();
    RouteTable.Binding binding = message.route();
    if (binding == null) { // replies too: a server makes no calls
      if (rpcId == null) {
        drops.count(DropReason.UNKNOWN_ROUTE);
        log.debug("Dropped a message for unknown route '{}'", LogSafe.text(message.type()));
        return null;
      }
      return Inbound.error(
          message.type(),
          rpcId,
          new ZocketException(ErrorCodes.NOT_FOUND, "No route '" + message.type() + "'"),
          length);
    }
    String route = binding.route.route();
    ZocketException refused = message.error();
    if (refused == null) {
      return new Inbound(binding, route, rpcId, message.payload(), null, length);
    }
    if (rpcId != null) {
      return Inbound.error(route, rpcId, refused, length);
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

  /**
   * Runs the interceptors and the handler of a decoded message and answers a call. Exceptions are
   * answered (for calls) and logged, never thrown.
   */
  public void handle(Connection connection, Inbound in) {
    String rpcId = in.rpcId;
    if (in.error != null) {
      reject(connection, rpcId, in.error);
      return;
    }
    RouteDescriptor route = in.binding.route;
    Object result;
    try {
      for (Interceptor interceptor : interceptors) {
        interceptor.intercept(connection.context(), route.route(), in.payload);
      }
      Object handler = connection.handler(in.binding.handlerIndex);
      result = in.binding.invoker.invoke(handler, in.payload);
    } catch (Throwable t) {
      fail(connection, route, rpcId, t);
      return;
    }
    if (rpcId == null) {
      if (result instanceof CompletionStage<?> stage) {
        stage.whenComplete(
            (v, t) -> {
              if (t != null) {
                logFailure(route, unwrap(t));
              }
            });
      }
      return;
    }
    if (result instanceof CompletionStage<?> stage) {
      stage.whenComplete(
          (v, t) -> {
            if (t != null) {
              fail(connection, route, rpcId, unwrap(t));
            } else {
              reply(connection, route, rpcId, v);
            }
          });
    } else {
      reply(connection, route, rpcId, result);
    }
  }

  private void reply(Connection connection, RouteDescriptor route, String rpcId, Object value) {
    boolean hasPayload = route.hasReplyPayload();
    try {
      connection.send(
          out -> writer.writeEnvelope(out, Protocol.REPLY_TYPE, value, hasPayload, rpcId));
    } catch (RuntimeException e) {
      fail(connection, route, rpcId, e); // the value could not be serialized: nothing was sent
    }
  }

  private void fail(Connection connection, RouteDescriptor route, String rpcId, Throwable t) {
    ZocketException error = logFailure(route, t);
    if (rpcId != null) {
      reject(connection, rpcId, error);
    }
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

  private static ZocketException logFailure(RouteDescriptor route, Throwable t) {
    if (t instanceof ZocketException z) {
      log.debug(
          "Handler for '{}' answered {}: {}",
          route.route(),
          LogSafe.text(z.code()),
          LogSafe.text(z.getMessage()));
      return z;
    }
    log.error("Handler for '{}' ({}) failed", route.route(), route.methodName(), t);
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

  /** A decoded message waiting for {@link #handle}. */
  public static final class Inbound {
    final RouteTable.Binding binding;
    final String route;
    final String rpcId;
    final Object payload;
    final ZocketException error;
    final int size;

    Inbound(
        RouteTable.Binding binding,
        String route,
        String rpcId,
        Object payload,
        ZocketException error,
        int size) {
      this.binding = binding;
      this.route = route;
      this.rpcId = rpcId;
      this.payload = payload;
      this.error = error;
      this.size = size;
    }

    static Inbound error(String route, String rpcId, ZocketException error, int size) {
      return new Inbound(null, route, rpcId, null, error, size);
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
