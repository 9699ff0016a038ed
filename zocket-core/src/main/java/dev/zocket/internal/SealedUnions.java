package dev.zocket.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.zocket.ContractException;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.AnnotatedClass;
import tools.jackson.databind.introspect.NopAnnotationIntrospector;
import tools.jackson.databind.jsontype.TypeDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * Sealed interfaces of records as payload types: a JSON object whose discriminator property (the
 * type id) says which record it is, as a TypeScript discriminated union.
 *
 * <p>The rules: the union is a {@code sealed interface} without type parameters whose permitted
 * subtypes are all records. Each record has a type id, given by {@code @JsonTypeName} on the record
 * or by {@code @JsonSubTypes.Type(name = ...)} on the interface (if {@code @JsonSubTypes} is
 * present it lists exactly the permitted records); the ids are distinct and non-empty. The
 * discriminator is the property {@value #DEFAULT_DISCRIMINATOR} unless {@code @JsonTypeInfo(use =
 * NAME, property = "...")} on the interface names another; {@code @JsonTypeInfo} may only say
 * {@code use = NAME}, {@code include = PROPERTY}, no {@code defaultImpl} and no {@code visible}. No
 * record has a component of the discriminator's name.
 *
 * <p>Thread-safe; each union is read once.
 */
public final class SealedUnions {
  /** The discriminator property when the interface has no {@code @JsonTypeInfo} naming one. */
  public static final String DEFAULT_DISCRIMINATOR = "kind";

  /** One record of a union and its type id. */
  public record Member(String name, Class<?> type) {}

  /**
   * A sealed interface read as a union.
   *
   * @param type the sealed interface
   * @param discriminator the JSON property holding the type id
   * @param members the permitted records, in the order the interface permits them
   */
  public record Union(Class<?> type, String discriminator, List<Member> members) {
    /** The type ids, quoted and comma-separated, for messages: {@code "circle", "square"}. */
    String ids() {
      return String.join(", ", members.stream().map(m -> '"' + m.name() + '"').toList());
    }
  }

  private static final ClassValue<Object> CACHE =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          try {
            return read(type);
          } catch (ContractException e) {
            return e;
          }
        }
      };

  private SealedUnions() {}

  /** Whether a type is sealed and so read as a union (enums, implicitly sealed, are not). */
  public static boolean isUnion(Class<?> c) {
    return c.isSealed() && !c.isEnum();
  }

  /**
   * The union a sealed type declares.
   *
   * @throws ContractException if it breaks a rule of the class comment
   */
  public static Union of(Class<?> sealed) {
    Object value = CACHE.get(sealed);
    if (value instanceof ContractException e) {
      throw new ContractException(e.getMessage());
    }
    return (Union) value;
  }

  /** Why a sealed type is not a union, or null if it is one. */
  static String problem(Class<?> sealed) {
    Object value = CACHE.get(sealed);
    return value instanceof ContractException e ? e.getMessage() : null;
  }

  /**
   * Why a union met in a type is not valid: the type itself, its type arguments, array elements,
   * record components and the unions its records belong to, at any depth; null if every union there
   * is valid. Found by reflection, before Jackson is asked to map the type (which would report a
   * clash of names in its own words).
   */
  static String problemWithin(Type type) {
    return problemWithin(type, new HashSet<>());
  }

  private static String problemWithin(Type type, Set<Class<?>> seen) {
    if (type instanceof ParameterizedType p) {
      String problem = problemWithin(p.getRawType(), seen);
      for (Type arg : p.getActualTypeArguments()) {
        problem = problem != null ? problem : problemWithin(arg, seen);
      }
      return problem;
    }
    if (type instanceof GenericArrayType g) {
      return problemWithin(g.getGenericComponentType(), seen);
    }
    if (!(type instanceof Class<?> c) || !seen.add(c)) {
      return null;
    }
    if (c.isArray()) {
      return problemWithin(c.getComponentType(), seen);
    }
    if (isUnion(c)) {
      String problem = problem(c);
      if (problem != null) {
        return problem;
      }
      for (Class<?> member : c.getPermittedSubclasses()) {
        problem = problemWithin(member, seen);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (c.isRecord()) {
      // A union's record sent on its own carries the union's type id.
      for (Class<?> i : c.getInterfaces()) {
        String problem = isUnion(i) ? problemWithin(i, seen) : null;
        if (problem != null) {
          return problem;
        }
      }
      for (RecordComponent rc : c.getRecordComponents()) {
        String problem = problemWithin(rc.getGenericType(), seen);
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  /**
   * The union a record belongs to: the sealed interface that permits it, or null. A record that two
   * sealed interfaces permit belongs to the first it implements.
   */
  public static Union unionOf(Class<?> record) {
    for (Class<?> i : record.getInterfaces()) {
      if (isUnion(i) && Arrays.asList(i.getPermittedSubclasses()).contains(record)) {
        return problem(i) == null ? of(i) : null;
      }
    }
    return null;
  }

  /** The type id of a union's record. */
  public static String nameOf(Union union, Class<?> record) {
    for (Member m : union.members()) {
      if (m.type() == record) {
        return m.name();
      }
    }
    throw new IllegalArgumentException(record + " is not in " + union.type());
  }

  private static Union read(Class<?> c) {
    String self = c.getSimpleName();
    if (!c.isInterface()) {
      throw new ContractException(
          self
              + " is a sealed class; a polymorphic payload is a sealed interface whose permitted"
              + " subtypes are records.");
    }
    if (c.getTypeParameters().length > 0) {
      throw new ContractException(
          "The sealed interface "
              + self
              + " has type parameters; a union is a sealed interface without them.");
    }
    String discriminator = DEFAULT_DISCRIMINATOR;
    JsonTypeInfo info = c.getAnnotation(JsonTypeInfo.class);
    if (info != null) {
      if (info.use() != JsonTypeInfo.Id.NAME
          || info.include() != JsonTypeInfo.As.PROPERTY
          || info.visible()
          || (info.defaultImpl() != JsonTypeInfo.class && info.defaultImpl() != Void.class)) {
        throw new ContractException(
            "@JsonTypeInfo on "
                + self
                + " must be use = NAME with include = PROPERTY, no defaultImpl and visible ="
                + " false: the type id is a property of the object, and an unknown or missing one"
                + " is an error.");
      }
      if (!info.property().isEmpty()) {
        discriminator = info.property();
      }
    }
    List<Class<?>> permitted = List.of(c.getPermittedSubclasses());
    Map<Class<?>, String> listed = new LinkedHashMap<>();
    JsonSubTypes subTypes = c.getAnnotation(JsonSubTypes.class);
    if (subTypes != null) {
      for (JsonSubTypes.Type t : subTypes.value()) {
        if (!permitted.contains(t.value())) {
          throw new ContractException(
              "@JsonSubTypes on "
                  + self
                  + " lists "
                  + t.value().getSimpleName()
                  + ", which "
                  + self
                  + " does not permit; list exactly the permitted records.");
        }
        if (t.names().length > 0) {
          throw new ContractException(
              "@JsonSubTypes on "
                  + self
                  + " gives "
                  + t.value().getSimpleName()
                  + " alternative names; give each record one type id.");
        }
        listed.put(t.value(), t.name());
      }
    }
    List<Member> members = new ArrayList<>();
    Map<String, Class<?>> byName = new LinkedHashMap<>();
    for (Class<?> p : permitted) {
      String sub = p.getSimpleName();
      if (!p.isRecord()) {
        throw new ContractException(
            self
                + " permits "
                + sub
                + ", which is not a record; every subtype of a sealed payload interface is a"
                + " record.");
      }
      if (subTypes != null && !listed.containsKey(p)) {
        throw new ContractException(
            "@JsonSubTypes on "
                + self
                + " does not list "
                + sub
                + ", which "
                + self
                + " permits; list exactly the permitted records.");
      }
      JsonTypeName typeName = p.getAnnotation(JsonTypeName.class);
      String fromRecord = typeName == null ? "" : typeName.value();
      String fromList = listed.getOrDefault(p, "");
      if (!fromRecord.isEmpty() && !fromList.isEmpty() && !fromRecord.equals(fromList)) {
        throw new ContractException(
            sub
                + " has two type ids, \""
                + fromRecord
                + "\" (@JsonTypeName) and \""
                + fromList
                + "\" (@JsonSubTypes on "
                + self
                + "); keep one.");
      }
      String name = fromList.isEmpty() ? fromRecord : fromList;
      if (name.isEmpty()) {
        throw new ContractException(
            sub
                + " has no type id; give it @JsonTypeName(\"...\"), the value of the \""
                + discriminator
                + "\" property that says a "
                + self
                + " is a "
                + sub
                + ".");
      }
      Class<?> clash = byName.putIfAbsent(name, p);
      if (clash != null) {
        throw new ContractException(
            clash.getSimpleName()
                + " and "
                + sub
                + " have the same type id \""
                + name
                + "\" in "
                + self
                + "; give each its own.");
      }
      for (RecordComponent rc : p.getRecordComponents()) {
        // @JsonProperty is not a record component annotation: it lands on the accessor.
        JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
        String json =
            renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
        if (json.equals(discriminator)) {
          throw new ContractException(
              sub
                  + " has a component named \""
                  + json
                  + "\", which is the discriminator of "
                  + self
                  + "; rename the component, or name another discriminator with"
                  + " @JsonTypeInfo(use = NAME, property = \"...\").");
        }
      }
      members.add(new Member(name, p));
    }
    return new Union(c, discriminator, List.copyOf(members));
  }

  /**
   * The Jackson module of the unions: the discriminator of each union (also when the interface has
   * no {@code @JsonTypeInfo}) and, when {@code strict}, a gate that refuses a JSON value that is
   * not an object before Jackson looks for its type id.
   */
  static SimpleModule module(boolean strict) {
    return new Module(strict);
  }

  private static final class Module extends SimpleModule {
    private static final long serialVersionUID = 1L;

    Module(boolean strict) {
      super("dev.zocket.SealedUnions");
      if (strict) {
        setDeserializerModifier(new Gates());
      }
    }

    @Override
    public void setupModule(SetupContext context) {
      super.setupModule(context);
      context.insertAnnotationIntrospector(new Discriminators());
    }
  }

  /** Says how a union, or a record of one, carries its type id. */
  private static final class Discriminators extends NopAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    @Override
    public JsonTypeInfo.Value findPolymorphicTypeInfo(MapperConfig<?> config, Annotated a) {
      if (!(a instanceof AnnotatedClass ac)) {
        return null;
      }
      Union union = union(ac.getRawType());
      if (union == null) {
        return null;
      }
      return JsonTypeInfo.Value.construct(
          JsonTypeInfo.Id.NAME, JsonTypeInfo.As.PROPERTY, union.discriminator(), null, false, true);
    }
  }

  /** The union of a sealed interface or of one of its records; null if none, or if not valid. */
  private static Union union(Class<?> c) {
    if (isUnion(c)) {
      return problem(c) == null ? of(c) : null;
    }
    return c.isRecord() ? unionOf(c) : null;
  }

  /** Puts a gate in front of the deserializers of unions and of their records. */
  private static final class Gates extends ValueDeserializerModifier {
    private static final long serialVersionUID = 1L;

    @Override
    public ValueDeserializer<?> modifyDeserializer(
        DeserializationConfig config, BeanDescription.Supplier desc, ValueDeserializer<?> deser) {
      return union(desc.getBeanClass()) == null ? deser : new ObjectGate(deser);
    }
  }

  /**
   * Refuses a value that is not a JSON object where a union's type id is looked for, as zod's
   * discriminated union does ({@code expected object}); Jackson would look for the type id and
   * report it missing.
   */
  private static final class ObjectGate extends DelegatingDeserializer {
    private static final long serialVersionUID = 1L;

    ObjectGate(ValueDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> newDelegatee) {
      return new ObjectGate(newDelegatee);
    }

    @Override
    public Object deserializeWithType(
        JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
        throws JacksonException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.START_OBJECT
          && t != JsonToken.PROPERTY_NAME
          && t != JsonToken.END_OBJECT) {
        throw new StrictTypes.Mismatch(
            p, "expected object, got " + StrictTypes.got(t), handledType());
      }
      return super.deserializeWithType(p, ctxt, typeDeserializer);
    }
  }
}
