package dev.zocket.internal;

import static dev.zocket.internal.StrictTypes.enumValues;
import static dev.zocket.internal.StrictTypes.got;

import dev.zocket.internal.StrictTypes.Kind;
import dev.zocket.internal.StrictTypes.Mismatch;
import dev.zocket.internal.StrictTypes.Range;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.type.LogicalType;

/**
 * The gate {@link StrictTypes} puts in front of a deserializer: checks the current token against
 * the JSON type of the target, then lets the real deserializer read it.
 */
final class TypeGate extends DelegatingDeserializer {
  private static final long serialVersionUID = 1L;

  private final Kind kind;
  private final Class<?> target;
  private final Range range;

  /** Whether {@code ""} is a value of the target: for text types, not for dates or enums. */
  private final boolean emptyAllowed;

  TypeGate(ValueDeserializer<?> delegate, Kind kind, Class<?> target) {
    super(delegate);
    this.kind = kind;
    this.target = target;
    this.range = Range.of(target);
    this.emptyAllowed =
        target == String.class
            || target == CharSequence.class
            || target == char[].class
            || target == byte[].class;
  }

  @Override
  protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> newDelegatee) {
    return new TypeGate(newDelegatee, kind, target);
  }

  @Override
  public Object deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
    JsonToken t = p.currentToken();
    if (kind == Kind.INTEGER && t == JsonToken.VALUE_NUMBER_FLOAT) {
      return integral(p);
    }
    check(p, t);
    return _delegatee.deserialize(p, ctxt);
  }

  @Override
  @SuppressWarnings("unchecked") // the delegate is of the target type
  public Object deserialize(JsonParser p, DeserializationContext ctxt, Object intoValue)
      throws JacksonException {
    check(p, p.currentToken());
    return ((ValueDeserializer<Object>) _delegatee).deserialize(p, ctxt, intoValue);
  }

  @Override
  public Object getNullValue(DeserializationContext ctxt) {
    if (target.isPrimitive()) {
      throw new Mismatch(ctxt.getParser(), "expected " + kind.word + ", got null", target);
    }
    return super.getNullValue(ctxt);
  }

  @Override
  public Object getAbsentValue(DeserializationContext ctxt) {
    if (target.isPrimitive()) {
      throw new Mismatch(ctxt.getParser(), "required: expected " + kind.word, target);
    }
    return super.getAbsentValue(ctxt);
  }

  private void check(JsonParser p, JsonToken t) throws JacksonException {
    switch (kind) {
      case STRING -> {
        if (t != JsonToken.VALUE_STRING) {
          throw mismatch(p, t);
        }
        if (!emptyAllowed && p.getStringLength() == 0) {
          throw new Mismatch(p, "expected " + what() + ", got an empty string", target);
        }
      }
      case BOOLEAN -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw mismatch(p, t);
        }
      }
      case INTEGER -> {
        if (t != JsonToken.VALUE_NUMBER_INT) {
          throw mismatch(p, t);
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || range != Range.INT) {
          BigInteger v = p.getBigIntegerValue();
          if (!range.contains(v)) {
            throw outOfRange(p, v.toString());
          }
        }
      }
      case NUMBER -> {
        if (!t.isNumeric()) {
          throw mismatch(p, t);
        }
        boolean finite =
            target == float.class || target == Float.class
                ? Float.isFinite(p.getFloatValue())
                : target != double.class && target != Double.class
                    || Double.isFinite(p.getDoubleValue());
        if (!finite) {
          throw new Mismatch(
              p,
              "expected a number that fits a "
                  + target.getSimpleName().toLowerCase(Locale.ROOT)
                  + ", got "
                  + p.getString(),
              target);
        }
      }
      case ARRAY -> {
        if (t != JsonToken.START_ARRAY) {
          throw mismatch(p, t);
        }
      }
      case OBJECT -> {
        // A bean may be handed its object after the START_OBJECT, at its first field or its end.
        if (t != JsonToken.START_OBJECT
            && t != JsonToken.PROPERTY_NAME
            && t != JsonToken.END_OBJECT) {
          throw mismatch(p, t);
        }
      }
    }
  }

  /** Reads a number with a fraction or an exponent into an integer type, if it is whole. */
  private Object integral(JsonParser p) throws JacksonException {
    BigDecimal d = p.getDecimalValue();
    if (!range.contains(d)) {
      throw outOfRange(p, p.getString());
    }
    BigInteger v;
    try {
      v = d.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new Mismatch(p, "expected integer, got " + p.getString(), target);
    }
    if (target == BigInteger.class) {
      return v;
    }
    long n = v.longValue();
    if (target == byte.class || target == Byte.class) {
      return (byte) n;
    }
    if (target == short.class || target == Short.class) {
      return (short) n;
    }
    if (target == int.class || target == Integer.class) {
      return (int) n;
    }
    if (target == AtomicInteger.class) {
      return new AtomicInteger((int) n);
    }
    if (target == AtomicLong.class) {
      return new AtomicLong(n);
    }
    return n;
  }

  private Mismatch outOfRange(JsonParser p, String value) {
    return new Mismatch(p, "expected " + range.describe() + ", got " + value, target);
  }

  private Mismatch mismatch(JsonParser p, JsonToken t) {
    return new Mismatch(p, "expected " + what() + ", got " + got(t), target);
  }

  /** What the target is, in the peer's words. */
  private String what() {
    if (target.isEnum()) {
      return "one of " + enumValues(target);
    }
    if (target.getName().startsWith("java.time.")) {
      return "an ISO-8601 string";
    }
    return kind.word;
  }

  /**
   * Reads an array of a primitive type ({@code int[]}, {@code double[]}, ...) element by element
   * with the rules of the element type; Jackson's own would coerce each element.
   */
  static final class PrimitiveArray extends ValueDeserializer<Object> {
    private final Class<?> element;

    PrimitiveArray(Class<?> element) {
      this.element = element;
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
      if (!p.isExpectedStartArrayToken()) {
        throw new Mismatch(p, "expected array, got " + got(p.currentToken()), element.arrayType());
      }
      ValueDeserializer<Object> one = ctxt.findRootValueDeserializer(ctxt.constructType(element));
      List<Object> values = new ArrayList<>();
      int index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
        try {
          if (t == JsonToken.VALUE_NULL) {
            values.add(one.getNullValue(ctxt));
          } else {
            values.add(one.deserialize(p, ctxt));
          }
        } catch (DatabindException e) {
          e.prependPath(values, index);
          throw e;
        }
      }
      Object array = Array.newInstance(element, values.size());
      for (int i = 0; i < values.size(); i++) {
        Array.set(array, i, values.get(i));
      }
      return array;
    }

    @Override
    public LogicalType logicalType() {
      return LogicalType.Array;
    }
  }
}
