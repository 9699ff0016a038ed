package dev.zocket.internal;

import jakarta.validation.GroupSequence;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertFalse;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import jakarta.validation.groups.Default;
import jakarta.validation.metadata.BeanDescriptor;
import jakarta.validation.metadata.ConstraintDescriptor;
import jakarta.validation.metadata.ContainerElementTypeDescriptor;
import jakarta.validation.metadata.PropertyDescriptor;
import java.lang.annotation.ElementType;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.PatternSyntaxException;
import org.hibernate.validator.group.GroupSequenceProvider;

/**
 * A record's Bean Validation constraints checked directly, for the values that pass them: Hibernate
 * Validator makes a validation context, a path and a result set for every value it checks (about
 * 100 ns and 500 bytes for a record of one constrained string), which a value that breaks nothing
 * does not need. A value that fails a direct check is validated again by the validator, which
 * reports its violations, so the reports are the validator's own.
 *
 * <p>Made only for a record whose constraints are all of these kinds, with the default group only,
 * declared on its components (the fields), and without class-level constraints or group sequences:
 * {@code @NotNull}; {@code @NotBlank} and {@code @Pattern} on a string; {@code @NotEmpty} and
 * {@code @Size} on a string, collection or map; {@code @Min}, {@code @Max}, {@code @Positive},
 * {@code @PositiveOrZero}, {@code @Negative} and {@code @NegativeOrZero} on an integral number
 * ({@code byte} to {@code long}, boxed or not); {@code @AssertTrue} and {@code @AssertFalse} on a
 * boolean; and {@code @Valid} on a record, a sealed interface of records, or a list or set of them,
 * which are checked through {@code nested}. Each check does what Hibernate Validator's built-in
 * validator for it does ({@code DirectChecksTest} holds the two side by side); any other record has
 * none (null from {@link #of}), and its values go to the validator.
 *
 * <p>Thread-safe.
 */
final class DirectChecks {
  /**
   * One component's value and what it must satisfy.
   *
   * @param reader reads the component's field, {@code (Object)Object}
   * @param check its constraints, all of them
   */
  private record Component(MethodHandle reader, Predicate<Object> check) {}

  private final Component[] components;

  private DirectChecks(Component[] components) {
    this.components = components;
  }

  /**
   * The direct checks of a record's constraints, or null when it has a constraint of another kind,
   * group or place (then only the validator checks its values).
   *
   * @param type the record
   * @param bean the validator's description of its constraints
   * @param nested whether a value reached through {@code @Valid} passes its own class's checks
   *     (false when they cannot be checked directly)
   */
  static DirectChecks of(Class<?> type, BeanDescriptor bean, Predicate<Object> nested) {
    if (!type.isRecord()
        || !bean.getConstraintDescriptors().isEmpty()
        || type.isAnnotationPresent(GroupSequence.class)
        || type.isAnnotationPresent(GroupSequenceProvider.class)) {
      return null;
    }
    List<Component> components = new ArrayList<>();
    for (PropertyDescriptor property : bean.getConstrainedProperties()) {
      Component c = component(type, property, nested);
      if (c == null) {
        return null;
      }
      components.add(c);
    }
    return new DirectChecks(components.toArray(new Component[0]));
  }

  /** Whether the value satisfies every constraint of its record. Any thread. */
  boolean holds(Object value) {
    for (Component c : components) {
      Object v;
      try {
        v = (Object) c.reader.invokeExact(value);
      } catch (Throwable e) {
        return false; // the validator reads it again and reports what it finds
      }
      if (!c.check.test(v)) {
        return false;
      }
    }
    return true;
  }

  private static Component component(
      Class<?> type, PropertyDescriptor property, Predicate<Object> nested) {
    Field field = componentField(type, property.getPropertyName());
    boolean elements = cascadedElements(property);
    if (field == null
        || (!property.getConstrainedContainerElementTypes().isEmpty() && !elements)
        || property
                .findConstraints()
                .declaredOn(ElementType.FIELD)
                .getConstraintDescriptors()
                .size()
            != property.getConstraintDescriptors().size()
        || (property.isCascaded() && !field.isAnnotationPresent(Valid.class))
        || !field.trySetAccessible()) {
      return null;
    }
    List<Predicate<Object>> checks = new ArrayList<>();
    for (ConstraintDescriptor<?> constraint : property.getConstraintDescriptors()) {
      Predicate<Object> check = check(constraint, field.getType());
      if (check == null) {
        return null;
      }
      checks.add(check);
    }
    if (property.isCascaded() || elements) {
      Predicate<Object> cascade = cascade(field, nested);
      if (cascade == null) {
        return null;
      }
      checks.add(cascade);
    }
    if (checks.isEmpty()) {
      return null; // constrained in a way not read above
    }
    MethodHandle reader;
    try {
      reader =
          MethodHandles.lookup()
              .unreflectGetter(field)
              .asType(MethodType.methodType(Object.class, Object.class));
    } catch (IllegalAccessException e) {
      return null;
    }
    Predicate<Object> all = checks.get(0);
    for (int i = 1; i < checks.size(); i++) {
      all = all.and(checks.get(i));
    }
    return new Component(reader, all);
  }

  /**
   * Whether the property's only container element descriptor is its elements' {@code @Valid},
   * without constraints: {@code List<@Valid Item>}, or {@code @Valid List<Item>}, which Hibernate
   * Validator reads as that.
   */
  private static boolean cascadedElements(PropertyDescriptor property) {
    Set<ContainerElementTypeDescriptor> elements = property.getConstrainedContainerElementTypes();
    if (elements.size() != 1) {
      return false;
    }
    ContainerElementTypeDescriptor e = elements.iterator().next();
    return e.isCascaded()
        && e.getConstraintDescriptors().isEmpty()
        && e.getConstrainedContainerElementTypes().isEmpty()
        && Integer.valueOf(0).equals(e.getTypeArgumentIndex());
  }

  /** The field of the record component of that name, or null when there is none. */
  private static Field componentField(Class<?> type, String name) {
    for (RecordComponent rc : type.getRecordComponents()) {
      if (rc.getName().equals(name)) {
        try {
          Field f = type.getDeclaredField(name);
          return Modifier.isStatic(f.getModifiers()) ? null : f;
        } catch (NoSuchFieldException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** The check of one constraint on a value of the declared type, or null when not direct. */
  private static Predicate<Object> check(ConstraintDescriptor<?> constraint, Class<?> declared) {
    if (!constraint.getGroups().equals(Set.of(Default.class))
        || !constraint.getComposingConstraints().isEmpty()) {
      return null;
    }
    Class<?> kind = constraint.getAnnotation().annotationType();
    Map<String, Object> attributes = constraint.getAttributes();
    Class<?> boxed = boxed(declared);
    boolean text = CharSequence.class.isAssignableFrom(declared);
    boolean sized =
        text || Collection.class.isAssignableFrom(declared) || Map.class.isAssignableFrom(declared);
    boolean integral =
        boxed == Long.class
            || boxed == Integer.class
            || boxed == Short.class
            || boxed == Byte.class;
    if (kind == NotNull.class) {
      return v -> v != null;
    }
    if (kind == NotBlank.class && text) {
      return v -> v != null && !v.toString().isBlank();
    }
    if (kind == NotEmpty.class && sized) {
      return v -> v != null && size(v) > 0;
    }
    if (kind == Size.class && sized) {
      int min = (Integer) attributes.get("min");
      int max = (Integer) attributes.get("max");
      return v -> {
        if (v == null) {
          return true;
        }
        int n = size(v);
        return n >= min && n <= max;
      };
    }
    if (kind == Pattern.class && text) {
      int flags = 0;
      for (Pattern.Flag f : (Pattern.Flag[]) attributes.get("flags")) {
        flags |= f.getValue();
      }
      java.util.regex.Pattern regexp;
      try {
        regexp = java.util.regex.Pattern.compile((String) attributes.get("regexp"), flags);
      } catch (PatternSyntaxException e) {
        return null; // the validator says what is wrong with it
      }
      return v -> v == null || regexp.matcher((CharSequence) v).matches();
    }
    if (kind == Min.class && integral) {
      long min = (Long) attributes.get("value");
      return v -> v == null || ((Number) v).longValue() >= min;
    }
    if (kind == Max.class && integral) {
      long max = (Long) attributes.get("value");
      return v -> v == null || ((Number) v).longValue() <= max;
    }
    if (kind == Positive.class && integral) {
      return v -> v == null || ((Number) v).longValue() > 0;
    }
    if (kind == PositiveOrZero.class && integral) {
      return v -> v == null || ((Number) v).longValue() >= 0;
    }
    if (kind == Negative.class && integral) {
      return v -> v == null || ((Number) v).longValue() < 0;
    }
    if (kind == NegativeOrZero.class && integral) {
      return v -> v == null || ((Number) v).longValue() <= 0;
    }
    if (kind == AssertTrue.class && boxed == Boolean.class) {
      return v -> v == null || (Boolean) v;
    }
    if (kind == AssertFalse.class && boxed == Boolean.class) {
      return v -> v == null || !(Boolean) v;
    }
    return null;
  }

  /**
   * The check of a {@code @Valid} component: the value itself is a record or a sealed interface of
   * records, or a list or set of them; else null.
   */
  private static Predicate<Object> cascade(Field field, Predicate<Object> nested) {
    Class<?> declared = field.getType();
    if (declared == List.class || declared == Set.class || declared == Collection.class) {
      Type t = field.getGenericType();
      if (!(t instanceof ParameterizedType p)
          || !(p.getActualTypeArguments()[0] instanceof Class<?> element)
          || !ofRecords(element)) {
        return null;
      }
      return v -> {
        if (v == null) {
          return true;
        }
        for (Object e : (Collection<?>) v) {
          if (e != null && !nested.test(e)) {
            return false;
          }
        }
        return true;
      };
    }
    return ofRecords(declared) ? v -> v == null || nested.test(v) : null;
  }

  /**
   * Whether the type is one of the application's records or unions (a value of a union is checked
   * as its own class, which decides whether that can be direct).
   */
  private static boolean ofRecords(Class<?> type) {
    return !type.getName().startsWith("java.") && (type.isRecord() || SealedUnions.isUnion(type));
  }

  private static int size(Object v) {
    if (v instanceof CharSequence s) {
      return s.length();
    }
    if (v instanceof Collection<?> c) {
      return c.size();
    }
    return ((Map<?, ?>) v).size();
  }

  private static Class<?> boxed(Class<?> type) {
    return MethodType.methodType(type).wrap().returnType();
  }
}
