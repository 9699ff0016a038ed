package dev.zocket.internal;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.LogSafe;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JavaType;

/**
 * The one inbound step of the server and the client: decodes a frame's envelope, looks up the route
 * its type names, binds the payload to the route's type under the strict rules of the codec, and
 * validates it. The server's dispatcher reads requests through it, the client events and replies,
 * so both sides accept and refuse the same frames with the same errors and JSON paths: a payload
 * before {@code type} binds as one after it, a missing or JSON null payload is refused unless the
 * route's type is {@code Object}, and a validator that throws is an {@code INTERNAL} error.
 *
 * <p>Thread-safe.
 */
public final class MessageReader {
  private static final Logger log = LoggerFactory.getLogger(MessageReader.class);

  /** Validators' and payloads' own failures: a client may cause them in a loop. */
  private static final RateLimitedLog failures = new RateLimitedLog(log);

  /** Where the reasons for dropped frames go when nobody logs them: nowhere. */
  private static final List<String> UNHEARD =
      new AbstractList<>() {
        @Override
        public boolean add(String reason) {
          return true;
        }

        @Override
        public String get(int index) {
          throw new IndexOutOfBoundsException(index);
        }

        @Override
        public int size() {
          return 0;
        }
      };

  private final EnvelopeReader envelopes;
  private final PayloadValidator validator;
  private final boolean validate;
  private final NullnessCheck nullness;

  /**
   * @param codec reads envelopes and binds payloads
   * @param validator checks bound payloads
   * @param validate whether payloads are validated (the server always validates what it receives)
   */
  public MessageReader(JsonCodec codec, PayloadValidator validator, boolean validate) {
    this.envelopes = codec.reader();
    this.validator = validator;
    this.validate = validate;
    this.nullness = new NullnessCheck(codec.mapper());
  }

  /** Something a frame's type names: a route, with what the reading side keeps for it. */
  @FunctionalInterface
  public interface Routed extends EnvelopeReader.Typed {
    /** The route. */
    RouteDescriptor route();

    @Override
    default JavaType payloadJavaType() {
      return route().payloadJavaType();
    }
  }

  /**
   * The routes one side answers to, by type.
   *
   * @param <R> what the side keeps for a route
   */
  @FunctionalInterface
  public interface Routes<R extends Routed> extends EnvelopeReader.PayloadTypes {
    @Override
    R find(String type);
  }

  /**
   * Reads one frame: a message for a known route, with its payload bound and validated or the
   * reason it was refused; a reply, whose value {@link #reply} binds once the call's route is
   * known; or a type that names no route.
   *
   * @return the message, or null when the frame is not a protocol envelope (logged at debug)
   */
  public <R extends Routed> Message<R> read(byte[] data, int offset, int length, Routes<R> routes) {
    List<String> why = log.isDebugEnabled() ? new ArrayList<>(1) : UNHEARD;
    Envelope envelope = envelopes.decode(data, offset, length, routes, why);
    if (envelope == null) {
      log.debug(
          "Dropped a frame that is not a protocol envelope: {}",
          LogSafe.text(why.isEmpty() ? "malformed" : why.get(0)));
      return null;
    }
    @SuppressWarnings("unchecked") // the envelope keeps what routes.find returned
    R route = (R) envelope.found();
    if (route == null) {
      return new Message<>(envelope, null, null, null);
    }
    RouteDescriptor descriptor = route.route();
    try {
      return new Message<>(envelope, route, payload(descriptor, envelope), null);
    } catch (InvalidPayloadException refused) {
      return new Message<>(envelope, route, null, refused);
    } catch (RuntimeException e) {
      return new Message<>(envelope, route, null, failed(descriptor.route(), e));
    }
  }

  /**
   * The payload of a request or an event, bound and validated. A payload that is missing or JSON
   * null is refused unless the route's type is {@code Object}: a record, a string or a list handler
   * could only fail on it.
   *
   * @return the payload; null for a route without one
   * @throws InvalidPayloadException naming the route, with the JSON path of every problem
   */
  private Object payload(RouteDescriptor route, Envelope envelope) {
    if (!route.hasPayload()) {
      return null;
    }
    JavaType type = route.payloadJavaType();
    Object payload = bind(route.route(), envelope, type);
    if (payload == null) {
      if (!envelope.hasPayload() || type.getRawClass() != Object.class) {
        throw new InvalidPayloadException(
            "Invalid payload for " + route.route(),
            List.of(
                new Violation(
                    "",
                    envelope.hasPayload() ? "expected " + json(type) + ", got null" : "required")));
      }
    } else {
      nullness.checkPayload(route, route.route(), payload);
      if (validate && route.validated()) {
        validator.validate(route.route(), payload);
      }
    }
    return payload;
  }

  /**
   * The value of a reply to a call of {@code route} (the route is found by the reply's {@code
   * rpcId}), bound and validated; null when the reply has no payload, or for JSON null (a handler
   * may answer null).
   *
   * @param reply a message for which {@link Message#isReply()}
   * @throws ZocketException the error the reply carries, as the server sent it, or {@code INTERNAL}
   *     when binding or validating the value failed with an unexpected exception
   * @throws InvalidPayloadException if the value does not fit the reply type
   */
  public Object reply(RouteDescriptor route, Message<?> reply) {
    Envelope envelope = reply.envelope;
    if (envelope.error() != null) {
      throw envelope.error().toException();
    }
    if (!route.hasReplyPayload() || !envelope.hasPayload()) {
      return null;
    }
    String what = "the reply to " + route.route();
    try {
      Object value = bind(what, envelope, route.replyJavaType());
      nullness.checkReply(route, what, value);
      if (validate) {
        validator.validateReply(route.method(), what, value);
      }
      return value;
    } catch (InvalidPayloadException refused) {
      throw refused;
    } catch (RuntimeException e) {
      throw failed(what, e);
    }
  }

  /**
   * The payload of one of the protocol's own messages (a frame whose type names no route), bound to
   * a type under the same strict rules; null when it has none or it is JSON null.
   *
   * @throws InvalidPayloadException if the payload does not fit the type
   */
  public Object protocolPayload(Message<?> message, JavaType type) {
    Envelope envelope = message.envelope;
    if (!envelope.hasPayload()) {
      return null;
    }
    return bind("'" + envelope.type() + "'", envelope, type);
  }

  /** The error a frame carries (a failed reply, or a failed stream's end), or null. */
  public ZocketException error(Message<?> message) {
    ErrorBody error = message.envelope.error();
    return error == null ? null : error.toException();
  }

  private Object bind(String what, Envelope envelope, JavaType type) {
    try {
      if (envelope.bindError() != null) {
        throw envelope.bindError();
      }
      return envelope.buffered() != null
          ? envelopes.bindBuffered(envelope.buffered(), type)
          : envelope.payload();
    } catch (InvalidPayloadException e) {
      // Binding errors come without the route; every answer names it the same way.
      throw new InvalidPayloadException("Invalid payload for " + what, e.details());
    }
  }

  /** A validator or a payload's own code failed: the sender is told as for a failed handler. */
  private static ZocketException failed(String what, RuntimeException e) {
    failures.error("Binding and validating a payload for {} failed", what, e);
    return new ZocketException(ErrorCodes.INTERNAL, "Internal error");
  }

  /** The JSON type of a Java type, in the words of the binding messages. */
  private static String json(JavaType type) {
    StrictTypes.Kind kind = StrictTypes.kindOf(type.getRawClass());
    if (kind != null) {
      return kind.word;
    }
    return type.isCollectionLikeType() || type.isArrayType() ? "array" : "object";
  }

  /**
   * One frame as {@link #read} understood it.
   *
   * @param <R> what the reading side keeps for a route
   */
  public static final class Message<R extends Routed> {
    private final Envelope envelope;
    private final R route;
    private final Object payload;
    private final ZocketException error;

    private Message(Envelope envelope, R route, Object payload, ZocketException error) {
      this.envelope = envelope;
      this.route = route;
      this.payload = payload;
      this.error = error;
    }

    /** The frame's type: a route, or {@link Protocol#REPLY_TYPE}. */
    public String type() {
      return envelope.type();
    }

    /** The call id, or null for a message that expects no answer. */
    public String rpcId() {
      return envelope.rpcId();
    }

    /** The event's position, from a server with recovery; null without. */
    public String position() {
      return envelope.position();
    }

    /** Whether the frame is the reply to a call; bind its value with {@link #reply}. */
    public boolean isReply() {
      return Protocol.REPLY_TYPE.equals(envelope.type());
    }

    /** What the type names; null when it names no route (a reply names none). */
    public R route() {
      return route;
    }

    /** The bound and validated payload; null without one, or when it was refused. */
    public Object payload() {
      return payload;
    }

    /**
     * Why the payload was refused: an {@link InvalidPayloadException} naming the route with the
     * JSON path of every problem, or {@code INTERNAL} when binding or validating it failed with an
     * unexpected exception (logged); null when accepted.
     */
    public ZocketException error() {
      return error;
    }
  }
}
