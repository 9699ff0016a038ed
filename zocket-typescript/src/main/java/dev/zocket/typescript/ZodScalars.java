package dev.zocket.typescript;

import dev.zocket.typescript.ZodConstraints.Shape;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

/**
 * What the generator knows of the JSON scalars Java types bind to under the strict binding rules:
 * the zod schema of each integer type (with its range) and of each date and time type (as ISO-8601
 * text), the TypeScript type of a scalar, and the shape of a value that decides which constraints
 * apply to it. Stateless.
 */
final class ZodScalars {
  private ZodScalars() {}

  /** The zod schema of each integer type: an integer within the type's range. */
  static final Map<Class<?>, String> INTEGERS =
      Map.of(
          byte.class, "z.int().gte(-128).lte(127)",
          Byte.class, "z.int().gte(-128).lte(127)",
          short.class, "z.int().gte(-32768).lte(32767)",
          Short.class, "z.int().gte(-32768).lte(32767)",
          int.class, "z.int32()",
          Integer.class, "z.int32()",
          long.class, "z.int()",
          Long.class, "z.int()",
          BigInteger.class, "z.int()");

  /** The zod schema of each date and time type, as Jackson writes it by default. */
  static final Map<Class<?>, String> TIMES =
      Map.of(
          Instant.class, "z.iso.datetime({ offset: true })",
          OffsetDateTime.class, "z.iso.datetime({ offset: true })",
          ZonedDateTime.class, "z.iso.datetime({ offset: true })",
          LocalDateTime.class, "z.iso.datetime({ local: true })",
          LocalDate.class, "z.iso.date()",
          LocalTime.class, "z.iso.time()",
          Duration.class, "z.iso.duration()");

  /**
   * The shape of a value for its constraints.
   *
   * @param formatted whether a date or time is written with a {@code @JsonFormat} pattern of its
   *     own (then it is text like any other)
   */
  static Shape shape(JavaType type, boolean formatted) {
    Shape shape = shape(type);
    if (shape == Shape.OTHER && TIMES.containsKey(type.getRawClass()) && !formatted) {
      shape = timeShape(type.getRawClass());
    }
    return shape;
  }

  private static Shape timeShape(Class<?> c) {
    if (c == LocalDateTime.class) {
      return Shape.LOCAL_DATE_TIME;
    }
    if (c == LocalDate.class) {
      return Shape.LOCAL_DATE;
    }
    if (c == LocalTime.class) {
      return Shape.LOCAL_TIME;
    }
    return c == Duration.class ? Shape.OTHER : Shape.INSTANT;
  }

  private static Shape shape(JavaType type) {
    Class<?> c = type.getRawClass();
    if (c == String.class || c == CharSequence.class || c == char.class || c == Character.class) {
      return Shape.STRING;
    }
    if (c == boolean.class || c == Boolean.class) {
      return Shape.BOOLEAN;
    }
    if (c.isPrimitive() || Number.class.isAssignableFrom(c)) {
      return Shape.NUMBER;
    }
    if (c != byte[].class && (type.isArrayType() || type.isCollectionLikeType())) {
      return Shape.ARRAY;
    }
    return type.isMapLikeType() ? Shape.MAP : Shape.OTHER;
  }

  /** The TypeScript type of a scalar, or null if {@code c} is not one. */
  static String tsType(Class<?> c) {
    if (c == boolean.class || c == Boolean.class) {
      return "boolean";
    }
    if (INTEGERS.containsKey(c)
        || c == float.class
        || c == Float.class
        || c == double.class
        || c == Double.class
        || c == BigDecimal.class
        || c == Number.class) {
      return "number";
    }
    if (c == String.class
        || c == CharSequence.class
        || c == char[].class
        || c == char.class
        || c == Character.class
        || c == UUID.class
        || c == byte[].class
        || TIMES.containsKey(c)) {
      return "string";
    }
    if (c == Object.class || JsonNode.class.isAssignableFrom(c)) {
      return "z.output<ReturnType<typeof z.json>>";
    }
    return null;
  }
}
