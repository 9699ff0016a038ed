package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.AnnotatedParameter;
import tools.jackson.databind.introspect.BeanPropertyDefinition;

/**
 * Refuses, after binding, a null (JSON null or a missing component) where the contract's JSpecify
 * nullness ({@link Nullness}) says non-null: a component, a list, set or array element, a map
 * value. The failure has the shape of a binding failure, with the JSON path of each null: {@code
 * items[2]: expected object, got null}. Types without {@code @NullMarked} or {@code @NonNull}
 * anywhere in them are not walked.
 *
 * <p>Thread-safe; what a route's types need is worked out once.
 */
public final class NullnessCheck {
  /** A bean's property: its JSON name, the member it is read with, and its type as written. */
  private record Property(String name, AnnotatedMember accessor, Nullness.Use use) {}

  private final ObjectMapper mapper;
  private final Map<Class<?>, List<Property>> beans = new ConcurrentHashMap<>();
  private final Map<Method, Boolean> payloads = new ConcurrentHashMap<>();
  private final Map<Method, Boolean> replies = new ConcurrentHashMap<>();
  private final Map<Class<?>, Boolean> headerTypes = new ConcurrentHashMap<>();

  /**
   * @param mapper the codec's mapper, whose property names the paths use
   */
  public NullnessCheck(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Checks a route's bound payload.
   *
   * @throws InvalidPayloadException naming {@code what}, with the path of every refused null
   */
  public void checkPayload(RouteDescriptor route, String what, Object payload) {
    Method m = route.method();
    if (payloads.computeIfAbsent(m, k -> needed(route.payloadJavaType(), Nullness.ofPayload(k)))) {
      check(what, payload, Nullness.ofPayload(m));
    }
  }

  /**
   * Checks the bound value of a reply to a route (null for JSON null).
   *
   * @throws InvalidPayloadException naming {@code what}, with the path of every refused null
   */
  public void checkReply(RouteDescriptor route, String what, Object reply) {
    Method m = route.method();
    if (replies.computeIfAbsent(m, k -> needed(route.replyJavaType(), Nullness.ofReply(k)))) {
      check(what, reply, Nullness.ofReply(m));
    }
  }

  /**
   * Checks a bound header record's components.
   *
   * @throws InvalidPayloadException with message {@code "Invalid headers"} and the path of every
   *     refused null
   */
  public void checkHeaders(Object headers) {
    if (headers != null && needed(headers.getClass())) {
      List<Violation> found = new ArrayList<>(0);
      walk(headers, null, "", found);
      if (!found.isEmpty()) {
        throw new InvalidPayloadException("Invalid headers", found);
      }
    }
  }

  private boolean needed(Class<?> type) {
    return headerTypes.computeIfAbsent(type, k -> needed(mapper.constructType(k), null));
  }

  private void check(String what, Object value, Nullness.Use use) {
    List<Violation> found = new ArrayList<>(0);
    walk(value, use, "", found);
    if (!found.isEmpty()) {
      throw new InvalidPayloadException("Invalid payload for " + what, found);
    }
  }

  private void walk(Object value, Nullness.Use use, String path, List<Violation> out) {
    if (value == null) {
      if (use != null && use.nonNull()) {
        out.add(new Violation(path, "expected " + json(use) + ", got null"));
      }
      return;
    }
    if (value instanceof Collection<?> c) {
      Nullness.Use element = use == null ? null : use.argument(0);
      int i = 0;
      for (Object e : c) {
        walk(e, element, path + "[" + i++ + "]", out);
      }
    } else if (value instanceof Map<?, ?> m) {
      Nullness.Use element = use == null ? null : use.argument(1);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        walk(e.getValue(), element, path + "[" + e.getKey() + "]", out);
      }
    } else if (value.getClass().isArray()) {
      if (!value.getClass().getComponentType().isPrimitive()) {
        Nullness.Use element = use == null ? null : use.argument(0);
        for (int i = 0; i < Array.getLength(value); i++) {
          walk(Array.get(value, i), element, path + "[" + i + "]", out);
        }
      }
    } else if (isBean(value.getClass())) {
      for (Property p : properties(value.getClass())) {
        Object v = p.accessor().getValue(value);
        walk(v, p.use(), path.isEmpty() ? p.name() : path + "." + p.name(), out);
      }
    }
  }

  /** Whether a type, as written, has a non-null reference anywhere in it. */
  private boolean needed(JavaType type, Nullness.Use use) {
    return type != null && needed(type, use, new HashSet<>());
  }

  private boolean needed(JavaType type, Nullness.Use use, Set<Class<?>> seen) {
    if (use != null && !type.isPrimitive() && use.nonNull()) {
      return true;
    }
    if (type.isArrayType() || type.isCollectionLikeType()) {
      return needed(type.getContentType(), use == null ? null : use.argument(0), seen);
    }
    if (type.isMapLikeType()) {
      return needed(type.getContentType(), use == null ? null : use.argument(1), seen);
    }
    Class<?> c = type.getRawClass();
    if (c.isSealed() && seen.add(c)) {
      // Its values are of the permitted classes: whether they need a check is theirs to say.
      for (Class<?> sub : c.getPermittedSubclasses()) {
        if (needed(mapper.constructType(sub), null, seen)) {
          return true;
        }
      }
      return false;
    }
    if (!isBean(c) || !seen.add(c)) {
      return false;
    }
    for (Property p : properties(c)) {
      if (p.use() != null && needed(p.accessor().getType(), p.use(), seen)) {
        return true;
      }
    }
    return false;
  }

  private List<Property> properties(Class<?> c) {
    return beans.computeIfAbsent(
        c,
        k -> {
          List<Property> list = new ArrayList<>();
          BeanDescription d =
              mapper._serializationContext().introspectBeanDescription(mapper.constructType(k));
          for (BeanPropertyDefinition p : d.findProperties()) {
            AnnotatedMember accessor = p.getAccessor();
            if (accessor == null) {
              continue;
            }
            accessor.fixAccess(true);
            AnnotatedMember primary = p.getPrimaryMember();
            Nullness.Use use =
                primary instanceof AnnotatedParameter param
                    ? Nullness.ofMember(param.getMember(), param.getIndex())
                    : Nullness.ofMember(accessor.getMember(), -1);
            list.add(new Property(p.getName(), accessor, use));
          }
          return List.copyOf(list);
        });
  }

  private static boolean isBean(Class<?> c) {
    return !c.isPrimitive()
        && !c.isEnum()
        && !c.isInterface()
        && !c.getName().startsWith("java.")
        && !c.getName().startsWith("tools.jackson.");
  }

  /** The JSON type of a use, in the words of the binding messages. */
  private static String json(Nullness.Use use) {
    if (use.type().getType() instanceof Class<?> c) {
      StrictTypes.Kind kind = StrictTypes.kindOf(c);
      if (kind != null) {
        return kind.word;
      }
      if (c.isArray() || Collection.class.isAssignableFrom(c)) {
        return "array";
      }
      return "object";
    }
    if (use.type().getType() instanceof java.lang.reflect.ParameterizedType p
        && p.getRawType() instanceof Class<?> raw
        && Collection.class.isAssignableFrom(raw)) {
      return "array";
    }
    return use.type() instanceof java.lang.reflect.AnnotatedArrayType ? "array" : "object";
  }
}
