package dev.zocket.internal;

import com.fasterxml.jackson.databind.JavaType;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import java.util.List;

/**
 * The inbound step shared by the server's dispatcher and the client: binds the payload of a decoded
 * frame to its route's type, under the strict binding rules of the codec, and validates it. A
 * request and an event go through {@link #message}, a reply through {@link #reply}, so both sides
 * accept and refuse the same JSON.
 *
 * <p>Thread-safe.
 */
public final class Payloads {
  private final JsonCodec codec;
  private final PayloadValidator validator;

  /**
   * @param codec binds buffered payloads
   * @param validator checks bound payloads
   */
  public Payloads(JsonCodec codec, PayloadValidator validator) {
    this.codec = codec;
    this.validator = validator;
  }

  /**
   * The payload of a request or an event, bound and (when {@code validate}) validated. A payload
   * that is missing or JSON null is refused unless the route's type is {@code Object}: a record, a
   * string or a list handler could only fail on it.
   *
   * @return the payload; null for a route without one
   * @throws InvalidPayloadException naming the route, with the JSON path of every problem
   */
  public Object message(RouteDescriptor route, Envelope frame, boolean validate) {
    if (!route.hasPayload()) {
      return null;
    }
    JavaType type = route.payloadJavaType();
    Object payload = bind(route.route(), frame, type);
    if (payload == null) {
      if (!frame.hasPayload() || type.getRawClass() != Object.class) {
        throw new InvalidPayloadException(
            "Invalid payload for " + route.route(),
            List.of(
                new Violation(
                    "",
                    frame.hasPayload() ? "expected " + json(type) + ", got null" : "required")));
      }
    } else if (validate && route.validated()) {
      validator.validate(route.route(), payload);
    }
    return payload;
  }

  /**
   * The value of a reply, bound and (when {@code validate}) validated; null when the reply has no
   * payload, or for JSON null (a handler may answer null).
   *
   * @throws dev.zocket.ZocketException the error the reply carries, as the server sent it
   * @throws InvalidPayloadException if the value does not fit the reply type
   */
  public Object reply(RouteDescriptor route, Envelope frame, boolean validate) {
    if (frame.error() != null) {
      throw frame.error().toException();
    }
    if (!route.hasReplyPayload() || !frame.hasPayload()) {
      return null;
    }
    String what = "the reply to " + route.route();
    Object value = bind(what, frame, route.replyJavaType());
    if (validate && value != null) {
      validator.validate(what, value);
    }
    return value;
  }

  private Object bind(String what, Envelope frame, JavaType type) {
    try {
      if (frame.bindError() != null) {
        throw frame.bindError();
      }
      return frame.buffered() != null
          ? codec.reader().bindBuffered(frame.buffered(), type)
          : frame.payload();
    } catch (InvalidPayloadException e) {
      // Binding errors come without the route; every answer names it the same way.
      throw new InvalidPayloadException("Invalid payload for " + what, e.details());
    }
  }

  /** The JSON type of a Java type, in the words of the binding messages. */
  private static String json(JavaType type) {
    StrictTypes.Kind kind = StrictTypes.kindOf(type.getRawClass());
    if (kind != null) {
      return kind.word;
    }
    return type.isCollectionLikeType() || type.isArrayType() ? "array" : "object";
  }
}
