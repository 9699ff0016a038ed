package dev.zocket.typescript;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.zocket.internal.Nullness;
import dev.zocket.internal.SealedUnions;
import dev.zocket.typescript.ZodConstraints.Shape;
import jakarta.validation.Validator;
import jakarta.validation.metadata.BeanDescriptor;
import jakarta.validation.metadata.PropertyDescriptor;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.AnnotatedParameter;
import tools.jackson.databind.introspect.BeanPropertyDefinition;

/**
 * Java types as zod schemas, under the strict binding rules: each JSON type binds only to Java
 * types of its own kind, integers are range-checked, a value that is not a primitive may be null
 * unless a constraint forbids it. Records, enums, sealed interfaces (discriminated unions) and each
 * instantiation of a generic record become named schemas ({@link ZodNames}), collected in the order
 * they must be declared (what a schema uses comes before it, except a reference back into a cycle,
 * which is a {@code z.lazy}).
 */
final class ZodTypes {
  private final ObjectMapper mapper;

  /** Jackson's lookups of the mapper's serializers and deserializers. */
  private final SerializationContext writing;

  private final DeserializationContext reading;
  private final Validator validator;
  private final Map<JavaType, NamedSchema> named = new LinkedHashMap<>();
  private final Map<String, JavaType> names = new HashMap<>();

  /** The named schemas being written, each with its name, outermost first. */
  private final Map<JavaType, String> visiting = new LinkedHashMap<>();

  /** The named schemas something inside them refers to (through {@code z.lazy}). */
  private final Set<JavaType> recursive = new HashSet<>();

  /** The named schemas on a path from a recursive schema back to itself. */
  private final Set<JavaType> cyclic = new HashSet<>();

  /** The TypeScript type of each record's object, written out for the records in a cycle. */
  private final Map<JavaType, String> objectTypes = new HashMap<>();

  private boolean usesEmail;
  private boolean usesTimeChecks;

  private final SkippedConstraints skipped;

  ZodTypes(ObjectMapper mapper, Validator validator, boolean strict) {
    this.skipped = new SkippedConstraints(strict);
    this.mapper = mapper;
    this.writing = mapper._serializationContext();
    this.reading = mapper._deserializationContext();
    this.validator = validator;
  }

  /** The named schemas met so far, each after those it uses. */
  List<NamedSchema> named() {
    return new ArrayList<>(named.values());
  }

  /** Whether a schema checks {@code @Email}, so the module needs its e-mail function. */
  boolean usesEmail() {
    return usesEmail;
  }

  /** Whether a schema checks a date, a time or digits, so the module needs their functions. */
  boolean usesTimeChecks() {
    return usesTimeChecks;
  }

  /** The constraints the schemas do not check, noted for their comments. */
  SkippedConstraints skipped() {
    return skipped;
  }

  /**
   * The schema of a value at a place, without its nullability (see {@link #nullable}).
   *
   * @throws GenerationException naming the place when the type or a constraint has no zod form
   */
  String schema(JavaType type, Place at) {
    Class<?> c = type.getRawClass();
    followable(type, at);
    Shape shape = ZodScalars.shape(type, formatted(at));
    String base = base(type, at);
    if (!at.constraints().isEmpty()) {
      List<ZodConstraints.Skipped> left = new ArrayList<>();
      try {
        base += ZodConstraints.checks(at.constraints(), shape, left);
      } catch (IllegalArgumentException e) {
        throw new GenerationException(at.name() + ": " + e.getMessage());
      }
      skipped.note(at, left);
      usesEmail |= ZodConstraints.usesEmail(at.constraints());
      usesTimeChecks |= ZodConstraints.usesTimeChecks(at.constraints());
    }
    if (isBean(c) && !at.cascaded() && constrained(c)) {
      throw new GenerationException(
          at.name()
              + ": "
              + c.getSimpleName()
              + " has constraints, but Bean Validation checks them here only with @Valid; add"
              + " @Valid (or drop the constraints), so that Java and TypeScript check the same");
    }
    return base;
  }

  /**
   * Refuses a value whose JSON form the application's code decides, which the generator cannot
   * read: a serializer or deserializer of its own for the type (registered by a module on the
   * mapper), or named on the property ({@code @JsonSerialize}, {@code @JsonDeserialize}). What the
   * mapper's configuration decides (a naming strategy, an enum naming strategy, mix-ins,
   * {@code @JsonProperty}) the generator follows, as it reads names through the mapper.
   */
  private void followable(JavaType type, Place at) {
    Class<?> c = type.getRawClass();
    if (at.member() != null) {
      JsonSerialize ser = at.member().getAnnotation(JsonSerialize.class);
      JsonDeserialize deser = at.member().getAnnotation(JsonDeserialize.class);
      if (ser != null
              && (ser.using() != ValueSerializer.None.class
                  || ser.contentUsing() != ValueSerializer.None.class
                  || ser.keyUsing() != ValueSerializer.None.class)
          || deser != null
              && (deser.using() != ValueDeserializer.None.class
                  || deser.contentUsing() != ValueDeserializer.None.class)) {
        throw new GenerationException(
            at.name()
                + ": written or read by a serializer or deserializer of its own"
                + " (@JsonSerialize, @JsonDeserialize), whose JSON the generator cannot know;"
                + " drop it, or give the component a type Jackson maps by itself");
      }
    }
    if (type.isPrimitive() || c == Object.class || JsonNode.class.isAssignableFrom(c)) {
      return;
    }
    String custom = null;
    ValueSerializer<Object> serializer = writing.findValueSerializer(type);
    if (!isJacksons(serializer.getClass())) {
      custom = serializer.getClass().getName();
    } else {
      ValueDeserializer<?> deserializer = reading.findRootValueDeserializer(type);
      while (deserializer instanceof DelegatingDeserializer d) {
        deserializer = d.getDelegatee();
      }
      if (!isJacksons(deserializer.getClass())) {
        custom = deserializer.getClass().getName();
      }
    }
    if (custom != null) {
      throw new GenerationException(
          at.name()
              + ": "
              + type.toCanonical()
              + " is mapped by "
              + custom
              + ", a serializer or deserializer of the application's own (registered on the"
              + " mapper), whose JSON the generator cannot know; map the type as Jackson does by"
              + " itself, or leave that module out of the mapper given to the generator");
    }
  }

  /** Whether a serializer or deserializer is Jackson's own, or Zocket's strict-binding gate. */
  private static boolean isJacksons(Class<?> c) {
    String name = c.getName();
    return name.startsWith("tools.jackson.") || name.startsWith("dev.zocket.internal.");
  }

  /**
   * Whether null (and, for a property, a missing value) is a value at a place: not for a primitive,
   * a value a constraint requires, or one JSpecify's nullness says is non-null.
   */
  static boolean nullable(JavaType type, Place at) {
    return !type.isPrimitive()
        && !ZodConstraints.required(at.constraints())
        && !(at.use() != null && at.use().nonNull());
  }

  /** Whether a date or time is written with a {@code @JsonFormat} pattern of its own. */
  private static boolean formatted(Place at) {
    JsonFormat format = at.member() == null ? null : at.member().getAnnotation(JsonFormat.class);
    return format != null && !format.pattern().isEmpty();
  }

  private String base(JavaType type, Place at) {
    Class<?> c = type.getRawClass();
    if (c == String.class || c == CharSequence.class || c == char[].class) {
      return "z.string()";
    }
    if (c == char.class || c == Character.class) {
      return "z.string().length(1)";
    }
    if (c == boolean.class || c == Boolean.class) {
      return "z.boolean()";
    }
    if (ZodScalars.INTEGERS.containsKey(c)) {
      return ZodScalars.INTEGERS.get(c);
    }
    if (c == float.class || c == Float.class) {
      return "z.number().gte(-3.4028234663852886e38).lte(3.4028234663852886e38)";
    }
    if (c == double.class || c == Double.class || c == BigDecimal.class || c == Number.class) {
      return "z.number()";
    }
    if (c == UUID.class) {
      return "z.guid()";
    }
    if (c == byte[].class) {
      return "z.base64()";
    }
    if (ZodScalars.TIMES.containsKey(c)) {
      return time(c, at);
    }
    if (c == Object.class || JsonNode.class.isAssignableFrom(c)) {
      return "z.json()";
    }
    if (c.isEnum()) {
      return declare(type, () -> enumSchema(c));
    }
    if (type.isArrayType() || type.isCollectionLikeType()) {
      JavaType element = type.getContentType();
      Place e = at.element(0);
      return "z.array(" + schema(element, e) + (nullable(element, e) ? ".nullable()" : "") + ")";
    }
    if (type.isMapLikeType()) {
      return map(type, at);
    }
    if (c.getName().startsWith("java.") || c.getName().startsWith("javax.")) {
      throw new GenerationException(
          at.name()
              + ": "
              + type.toCanonical()
              + " has no zod form here (supported: strings, numbers, booleans, enums, UUID,"
              + " byte[], the java.time types Instant, OffsetDateTime, ZonedDateTime,"
              + " LocalDateTime, LocalDate, LocalTime and Duration, arrays, collections, maps with"
              + " string or enum keys, JsonNode, Object, records and beans)");
    }
    if (SealedUnions.isUnion(c)) {
      return declare(type, () -> unionSchema(type));
    }
    SealedUnions.Union union = c.isRecord() ? SealedUnions.unionOf(c) : null;
    if (union != null) {
      // A union's records are declared by the union, so that the union comes first in a cycle.
      JavaType u = mapper.constructType(union.type());
      if (!named.containsKey(u) && !visiting.containsKey(u)) {
        base(u, Place.root(at.name()));
      }
    }
    return declare(type, () -> objectSchema(type));
  }

  private String time(Class<?> c, Place at) {
    JsonFormat format = at.member() == null ? null : at.member().getAnnotation(JsonFormat.class);
    if (format == null || format.pattern().isEmpty()) {
      return ZodScalars.TIMES.get(c);
    }
    try {
      return "z.string().regex(" + JsRegex.dateTimePattern(format.pattern()) + ")";
    } catch (IllegalArgumentException e) {
      throw new GenerationException(at.name() + ": " + e.getMessage());
    }
  }

  private String map(JavaType type, Place at) {
    JavaType key = type.getKeyType();
    Place keyPlace = at.element(0);
    if (!keyPlace.constraints().isEmpty()) {
      throw new GenerationException(at.name() + ": constraints on map keys have no zod form");
    }
    JavaType value = type.getContentType();
    Place v = at.element(1);
    String values = schema(value, v) + (nullable(value, v) ? ".nullable()" : "");
    Class<?> k = key.getRawClass();
    if (k == String.class) {
      return "z.record(z.string(), " + values + ")";
    }
    if (k.isEnum()) {
      return "z.partialRecord(" + schema(key, Place.root(at.name() + " key")) + ", " + values + ")";
    }
    throw new GenerationException(
        at.name() + ": map keys of type " + k.getSimpleName() + " have no zod form; use String");
  }

  /**
   * The name of a record's, enum's or union's schema, declaring it on first use; within its own
   * schema, a {@code z.lazy} reference to it.
   */
  private String declare(JavaType type, java.util.function.Supplier<String> code) {
    NamedSchema done = named.get(type);
    if (done != null) {
      return done.name();
    }
    String open = visiting.get(type);
    if (open != null) {
      recursive.add(type);
      boolean inCycle = false;
      for (JavaType t : visiting.keySet()) {
        inCycle |= t.equals(type);
        if (inCycle) {
          cyclic.add(t);
        }
      }
      return "z.lazy(() => " + open + ")";
    }
    Class<?> c = type.getRawClass();
    String name = ZodNames.of(type);
    if (!Js.isIdentifier(name)) {
      throw new GenerationException(
          c.getName() + ": its simple name cannot name a TypeScript constant; rename the type");
    }
    JavaType clash = names.putIfAbsent(name, type);
    if (clash != null && !clash.equals(type)) {
      throw new GenerationException(
          "Two types are named "
              + name
              + ": "
              + clash.toCanonical()
              + " and "
              + type.toCanonical()
              + "; rename one, since a module names its schemas by simple name");
    }
    visiting.put(type, name);
    String body = code.get();
    visiting.remove(type);
    String tsType = null;
    if (cyclic.contains(type)) {
      tsType = SealedUnions.isUnion(c) ? unionType(c) : objectTypes.get(type);
    }
    named.put(
        type, new NamedSchema(name, type.toCanonical(), body, tsType, recursive.contains(type)));
    return name;
  }

  private String enumSchema(Class<?> c) {
    List<String> values = new ArrayList<>();
    boolean strings = true;
    for (Object constant : c.getEnumConstants()) {
      JsonNode written = mapper.valueToTree(constant);
      strings &= written.isString();
      values.add(written.isString() ? Js.string(written.stringValue()) : written.toString());
    }
    return strings
        ? "z.enum([" + String.join(", ", values) + "])"
        : "z.literal([" + String.join(", ", values) + "])";
  }

  private String objectSchema(JavaType type) {
    Class<?> c = type.getRawClass();
    BeanDescription bean = mapper._serializationContext().introspectBeanDescription(type);
    BeanDescriptor constraints = validator.getConstraintsForClass(c);
    StringBuilder sb = new StringBuilder("z.object({\n");
    sb.append(skipped.onClass(c, constraints.getConstraintDescriptors()));
    StringBuilder ts = new StringBuilder("{ ");
    SealedUnions.Union union = SealedUnions.unionOf(c);
    if (union != null) {
      String id = Js.string(SealedUnions.nameOf(union, c));
      sb.append("  ").append(Js.key(union.discriminator())).append(": z.literal(" + id + "),\n");
      ts.append(Js.key(union.discriminator())).append(": ").append(id).append("; ");
    }
    for (BeanPropertyDefinition p : bean.findProperties()) {
      PropertyDescriptor d = constraints.getConstraintsForProperty(p.getInternalName());
      AnnotatedMember member = p.getPrimaryMember();
      Place at =
          d == null
              ? new Place(c.getSimpleName() + "." + p.getName(), Set.of(), Set.of(), false, member)
              : new Place(
                  c.getSimpleName() + "." + p.getName(),
                  d.getConstraintDescriptors(),
                  d.getConstrainedContainerElementTypes(),
                  d.isCascaded(),
                  member);
      at = at.written(written(member));
      JavaType t = p.getPrimaryType();
      int mark = skipped.mark();
      sb.append("  ")
          .append(Js.key(p.getName()))
          .append(": ")
          .append(schema(t, at))
          .append(nullable(t, at) ? ".nullish()" : "")
          .append(",");
      String note = skipped.since(mark);
      if (!note.isEmpty()) {
        sb.append(" // ").append(note);
      }
      sb.append("\n");
      ts.append(Js.key(p.getName()))
          .append(nullable(t, at) ? "?: " : ": ")
          .append(tsType(t, at))
          .append(nullable(t, at) ? " | null | undefined" : "")
          .append("; ");
    }
    objectTypes.put(type, ts.append("}").toString());
    return sb.append("})").toString();
  }

  /** The type of a property as its member writes it, for its nullness; null when not known. */
  private static Nullness.Use written(AnnotatedMember member) {
    if (member == null) {
      return null;
    }
    return member instanceof AnnotatedParameter p
        ? Nullness.ofMember(p.getMember(), p.getIndex())
        : Nullness.ofMember(member.getMember(), -1);
  }

  /**
   * A sealed interface's schema: a discriminated union of its records' schemas, each an object
   * whose discriminator is the record's type id.
   */
  private String unionSchema(JavaType type) {
    SealedUnions.Union union = SealedUnions.of(type.getRawClass());
    List<String> options = new ArrayList<>();
    for (SealedUnions.Member m : union.members()) {
      JavaType member = mapper.constructType(m.type());
      options.add(schema(member, Place.root(union.type().getSimpleName())));
      if (recursive.contains(member)) {
        throw new GenerationException(
            m.type().getSimpleName()
                + " refers to itself, but is a record of the union "
                + union.type().getSimpleName()
                + ", whose options TypeScript must see as objects; refer to "
                + union.type().getSimpleName()
                + " instead");
      }
    }
    return "z.discriminatedUnion("
        + Js.string(union.discriminator())
        + ", ["
        + String.join(", ", options)
        + "])";
  }

  /** A union's TypeScript type: its records' types, or-ed. */
  private String unionType(Class<?> c) {
    List<String> types = new ArrayList<>();
    for (SealedUnions.Member m : SealedUnions.of(c).members()) {
      types.add(named.get(mapper.constructType(m.type())).name());
    }
    return String.join(" | ", types);
  }

  /**
   * The TypeScript type of the values a schema accepts, as zod infers it: written out for the
   * schemas that refer to themselves. NamedSchema schemas are referred to by name.
   */
  private String tsType(JavaType type, Place at) {
    String scalar = ZodScalars.tsType(type.getRawClass());
    if (scalar != null) {
      return scalar;
    }
    if (type.isArrayType() || type.isCollectionLikeType()) {
      JavaType element = type.getContentType();
      Place e = at.element(0);
      String t = tsType(element, e);
      return nullable(element, e) ? "(" + t + " | null)[]" : t + "[]";
    }
    if (type.isMapLikeType()) {
      JavaType value = type.getContentType();
      Place v = at.element(1);
      String values = tsType(value, v) + (nullable(value, v) ? " | null" : "");
      Class<?> k = type.getKeyType().getRawClass();
      return k.isEnum()
          ? "Partial<Record<" + tsType(type.getKeyType(), at) + ", " + values + ">>"
          : "Record<string, " + values + ">";
    }
    NamedSchema done = named.get(type);
    return done != null ? done.name() : visiting.get(type);
  }

  /** Whether Bean Validation finds constraints in a value of a class: for a union, its records'. */
  private boolean constrained(Class<?> c) {
    if (SealedUnions.isUnion(c)) {
      for (Class<?> member : c.getPermittedSubclasses()) {
        if (constrained(member)) {
          return true;
        }
      }
      return false;
    }
    return validator.getConstraintsForClass(c).isBeanConstrained();
  }

  private static boolean isBean(Class<?> c) {
    return !c.isPrimitive()
        && !c.isEnum()
        && !c.isArray()
        && !Collection.class.isAssignableFrom(c)
        && !Map.class.isAssignableFrom(c)
        && !c.getName().startsWith("java.");
  }
}
