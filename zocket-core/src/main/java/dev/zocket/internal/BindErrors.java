package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Turns Jackson's binding failures into {@code INVALID_PAYLOAD} with the JSON path of the bad value
 * and a message fit for the remote peer: it says what JSON was expected and what came, and never
 * names a Java class ({@code "roomId": expected string, got number}).
 */
final class BindErrors {
  /** The longest bad value quoted back in a message, in characters. */
  private static final int QUOTED = 40;

  private BindErrors() {}

  /** A binding failure with the path Jackson recorded. */
  static InvalidPayloadException of(DatabindException e) {
    return of(e, null, null);
  }

  /**
   * A binding failure.
   *
   * @param at where the parser stopped, for failures that carry no path of their own; or null
   * @param root the context enclosing the payload, where a path from {@code at} stops
   */
  static InvalidPayloadException of(
      JacksonException e, TokenStreamContext at, TokenStreamContext root) {
    String path = e instanceof DatabindException m ? pathOf(m) : pathOf(at, root);
    if (e instanceof InvalidTypeIdException t) {
      InvalidPayloadException typeId = typeId(t, path);
      if (typeId != null) {
        return typeId;
      }
    }
    return new InvalidPayloadException(
        "Payload does not match the expected type", List.of(new Violation(path, describe(e))));
  }

  /**
   * A missing or unknown type id of a union ({@link SealedUnions}): at the discriminator's path, as
   * zod's discriminated union reports it; null if the type is not a union's.
   */
  private static InvalidPayloadException typeId(InvalidTypeIdException e, String path) {
    Class<?> base = e.getBaseType() == null ? null : e.getBaseType().getRawClass();
    SealedUnions.Union union =
        base == null
            ? null
            : SealedUnions.isUnion(base)
                ? SealedUnions.of(base)
                : base.isRecord() ? SealedUnions.unionOf(base) : null;
    if (union == null) {
      return null;
    }
    String at = path.isEmpty() ? union.discriminator() : path + "." + union.discriminator();
    String message =
        (base.isRecord()
                ? "expected \"" + SealedUnions.nameOf(union, base) + '"'
                : "expected one of " + union.ids())
            + (e.getTypeId() == null ? "" : ", got " + quote(e.getTypeId()));
    return new InvalidPayloadException(
        "Payload does not match the expected type", List.of(new Violation(at, message)));
  }

  private static String pathOf(DatabindException m) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference ref : m.getPath()) {
      if (ref.getPropertyName() != null && ref.from() instanceof Map) {
        // a map key, written as PayloadValidator does: byId[a1].name
        sb.append('[').append(ref.getPropertyName()).append(']');
      } else if (ref.getPropertyName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String pathOf(TokenStreamContext at, TokenStreamContext root) {
    List<String> parts = new ArrayList<>();
    for (TokenStreamContext c = at; c != null && c != root && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.currentName() != null) {
        parts.add(0, c.currentName());
      } else if (c.inArray()) {
        parts.add(0, "[" + Math.max(c.getCurrentIndex(), 0) + "]");
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      if (sb.length() > 0 && !part.startsWith("[")) {
        sb.append('.');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private static String describe(JacksonException e) {
    if (e instanceof StrictTypes.Mismatch m) {
      return m.brief();
    }
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof InputCoercionException) {
        return "is out of range";
      }
    }
    if (e instanceof ValueInstantiationException) {
      return "is invalid";
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null) {
      return "expected " + expected(f.getTargetType()) + ", got " + quote(f.getValue());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "expected " + expected(m.getTargetType());
    }
    return "cannot be read";
  }

  private static String quote(Object value) {
    if (!(value instanceof String s)) {
      return String.valueOf(value);
    }
    if (s.length() > QUOTED) {
      s = s.substring(0, QUOTED) + "...";
    }
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** What JSON a Java type is read from, in words for the remote peer. */
  private static String expected(Class<?> c) {
    if (c.isEnum()) {
      return "one of " + StrictTypes.enumValues(c);
    }
    if (c.getName().startsWith("java.time.")) {
      return "an ISO-8601 string";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "boolean";
    }
    if (c == byte.class
        || c == short.class
        || c == int.class
        || c == long.class
        || c == Byte.class
        || c == Short.class
        || c == Integer.class
        || c == Long.class
        || c == BigInteger.class) {
      return "integer";
    }
    if (c.isPrimitive() && c != char.class || Number.class.isAssignableFrom(c)) {
      return "number";
    }
    if (c.isArray() || Collection.class.isAssignableFrom(c)) {
      return "array";
    }
    if (Map.class.isAssignableFrom(c)) {
      return "object";
    }
    if (c == char.class || c.getName().startsWith("java.")) {
      return "string";
    }
    return "object";
  }
}
