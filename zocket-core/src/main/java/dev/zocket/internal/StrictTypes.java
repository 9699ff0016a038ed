package dev.zocket.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.bean.BeanDeserializerBase;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.ArrayType;
import tools.jackson.databind.type.CollectionLikeType;
import tools.jackson.databind.type.CollectionType;
import tools.jackson.databind.type.MapLikeType;
import tools.jackson.databind.type.MapType;

/**
 * Zocket's binding rules as a Jackson module: a JSON value binds to a Java type only when its JSON
 * type is the one the Java type is written as, as a zod schema would check it. A number is not a
 * {@code String}, a string is not a number, an enum or a boolean, a number is not an enum, a
 * fraction is not an integer, a single value is not an array, {@code ""} is not a date or an enum,
 * {@code null} and a missing value are not a primitive, and an integer must fit its type ({@code
 * byte} -128 to 127, and so on). A number whose fraction is zero ({@code 3.0}, {@code 1e3}) is an
 * integer, as it is in JavaScript.
 *
 * <p>Every deserializer Jackson makes is wrapped in a gate ({@link TypeGate}) that checks the
 * current token against the JSON type of the target before the real deserializer runs, so the gate
 * costs one comparison per value. Types whose JSON form the application decides ({@code Object},
 * {@code JsonNode}, a class with a delegating creator or a {@code @JsonValue}, a custom
 * deserializer) are not gated. A failure is a {@link Mismatch}, whose message is fit for the remote
 * peer: {@code expected string, got number}.
 */
final class StrictTypes extends SimpleModule {
  private static final long serialVersionUID = 1L;

  StrictTypes() {
    super("dev.zocket.StrictTypes");
    setDeserializerModifier(new Gates());
  }

  /** A binding failure whose message is what the peer is told, without a path or a class name. */
  static final class Mismatch extends MismatchedInputException {
    private static final long serialVersionUID = 1L;
    private final String brief;

    Mismatch(JsonParser p, String brief, Class<?> target) {
      super(p, brief, target);
      this.brief = brief;
    }

    /** What is wrong, for example {@code expected string, got number}. */
    String brief() {
      return brief;
    }
  }

  /** The JSON types, as they are named in messages. */
  enum Kind {
    STRING("string"),
    BOOLEAN("boolean"),
    INTEGER("integer"),
    NUMBER("number"),
    ARRAY("array"),
    OBJECT("object");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  /** The word for what a token starts: {@code string}, {@code number}, and so on. */
  static String got(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      case START_ARRAY, END_ARRAY -> "array";
      case START_OBJECT, END_OBJECT, PROPERTY_NAME -> "object";
      default -> "an embedded value";
    };
  }

  /**
   * The JSON type a Java type is read from, or null when the application decides (no gate). Only
   * types whose JSON form Jackson fixes are named here.
   */
  static Kind kindOf(Class<?> c) {
    if (c == String.class
        || c == CharSequence.class
        || c == char.class
        || c == Character.class
        || c == char[].class
        || c == byte[].class // base64
        || c.isEnum()
        || c.getName().startsWith("java.time.")
        || c == java.util.UUID.class
        || c == java.net.URI.class
        || c == java.net.URL.class
        || c == Locale.class
        || c == java.util.Currency.class
        || c == java.util.TimeZone.class
        || c == java.util.regex.Pattern.class) {
      return Kind.STRING;
    }
    if (c == boolean.class || c == Boolean.class || c == AtomicBoolean.class) {
      return Kind.BOOLEAN;
    }
    if (Range.of(c) != null) {
      return Kind.INTEGER;
    }
    if (c == float.class
        || c == Float.class
        || c == double.class
        || c == Double.class
        || c == BigDecimal.class
        || c == Number.class) {
      return Kind.NUMBER;
    }
    return null;
  }

  /** The range of an integer type; null if the type is not one. */
  record Range(BigInteger min, BigInteger max, String name) {
    private static final Range BYTE = of(Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
    private static final Range SHORT = of(Short.MIN_VALUE, Short.MAX_VALUE, "short");
    static final Range INT = of(Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    private static final Range LONG = of(Long.MIN_VALUE, Long.MAX_VALUE, "long");

    /**
     * The integer digits a {@code BigInteger} may be given as a number with an exponent: {@code
     * 1e999999999} is an integer too, but not one to build.
     */
    private static final int BIG_DIGITS = 1000;

    private static final Range BIG = new Range(null, null, "integer");

    private static Range of(long min, long max, String name) {
      return new Range(BigInteger.valueOf(min), BigInteger.valueOf(max), name);
    }

    static Range of(Class<?> c) {
      if (c == byte.class || c == Byte.class) {
        return BYTE;
      }
      if (c == short.class || c == Short.class) {
        return SHORT;
      }
      if (c == int.class || c == Integer.class || c == AtomicInteger.class) {
        return INT;
      }
      if (c == long.class || c == Long.class || c == AtomicLong.class) {
        return LONG;
      }
      if (c == BigInteger.class) {
        return BIG;
      }
      return null;
    }

    boolean contains(BigInteger v) {
      return min == null || (v.compareTo(min) >= 0 && v.compareTo(max) <= 0);
    }

    boolean contains(BigDecimal v) {
      if (min == null) {
        return v.precision() - v.scale() <= BIG_DIGITS;
      }
      return v.compareTo(new BigDecimal(min)) >= 0 && v.compareTo(new BigDecimal(max)) <= 0;
    }

    String describe() {
      return min == null ? "integer" : "integer from " + min + " to " + max;
    }
  }

  /** Puts a gate in front of every deserializer whose JSON type is fixed. */
  private static final class Gates extends ValueDeserializerModifier {
    private static final long serialVersionUID = 1L;

    @Override
    public ValueDeserializer<?> modifyDeserializer(
        DeserializationConfig config, BeanDescription.Supplier desc, ValueDeserializer<?> deser) {
      // What the deserializer reads: Jackson describes an Integer property by the int type.
      Class<?> c = deser.handledType() != null ? deser.handledType() : desc.getBeanClass();
      Kind kind = kindOf(c);
      if (kind == null && deser instanceof BeanDeserializerBase && objectOnly(desc, deser)) {
        kind = Kind.OBJECT;
      }
      return kind == null ? deser : new TypeGate(deser, kind, c);
    }

    @Override
    public ValueDeserializer<?> modifyEnumDeserializer(
        DeserializationConfig config,
        JavaType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      // An enum written with @JsonValue or read by a creator may be written as anything.
      if (desc.get().findJsonValueAccessor() != null || hasCreator(type.getRawClass())) {
        return deser;
      }
      return new TypeGate(deser, Kind.STRING, type.getRawClass());
    }

    @Override
    public ValueDeserializer<?> modifyArrayDeserializer(
        DeserializationConfig config,
        ArrayType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      Class<?> element = type.getContentType().getRawClass();
      if (element == byte.class || element == char.class) {
        return new TypeGate(deser, Kind.STRING, type.getRawClass());
      }
      if (element.isPrimitive()) {
        return new TypeGate.PrimitiveArray(element);
      }
      return new TypeGate(deser, Kind.ARRAY, type.getRawClass());
    }

    @Override
    public ValueDeserializer<?> modifyCollectionDeserializer(
        DeserializationConfig config,
        CollectionType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      return new TypeGate(deser, Kind.ARRAY, type.getRawClass());
    }

    @Override
    public ValueDeserializer<?> modifyCollectionLikeDeserializer(
        DeserializationConfig config,
        CollectionLikeType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      return new TypeGate(deser, Kind.ARRAY, type.getRawClass());
    }

    @Override
    public ValueDeserializer<?> modifyMapDeserializer(
        DeserializationConfig config,
        MapType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      return new TypeGate(deser, Kind.OBJECT, type.getRawClass());
    }

    @Override
    public ValueDeserializer<?> modifyMapLikeDeserializer(
        DeserializationConfig config,
        MapLikeType type,
        BeanDescription.Supplier desc,
        ValueDeserializer<?> deser) {
      return new TypeGate(deser, Kind.OBJECT, type.getRawClass());
    }

    private static boolean hasCreator(Class<?> c) {
      for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(JsonCreator.class)) {
          return true;
        }
      }
      for (java.lang.reflect.Constructor<?> k : c.getDeclaredConstructors()) {
        if (k.isAnnotationPresent(JsonCreator.class)) {
          return true;
        }
      }
      return false;
    }

    /**
     * Whether a bean is read from a JSON object only: built from its properties, with neither a
     * delegating or scalar creator nor a {@code @JsonValue}.
     */
    private static boolean objectOnly(BeanDescription.Supplier desc, ValueDeserializer<?> deser) {
      if (desc.get().findJsonValueAccessor() != null
          || JsonNode.class.isAssignableFrom(desc.getBeanClass())) {
        return false;
      }
      ValueInstantiator v = ((BeanDeserializerBase) deser).getValueInstantiator();
      return !(v.canCreateUsingDelegate()
          || v.canCreateUsingArrayDelegate()
          || v.canCreateFromString()
          || v.canCreateFromInt()
          || v.canCreateFromLong()
          || v.canCreateFromBigInteger()
          || v.canCreateFromDouble()
          || v.canCreateFromBigDecimal()
          || v.canCreateFromBoolean());
    }
  }

  /** The names an enum is written as, quoted, for messages: {@code "RED", "GREEN"}. */
  static String enumValues(Class<?> e) {
    List<String> names = new ArrayList<>();
    for (Object constant : e.getEnumConstants()) {
      names.add('"' + ((Enum<?>) constant).name() + '"');
      if (names.size() == 10) {
        names.add("...");
        break;
      }
    }
    return String.join(", ", names);
  }
}
