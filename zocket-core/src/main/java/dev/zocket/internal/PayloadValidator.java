package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.MessageInterpolator;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.metadata.BeanDescriptor;
import jakarta.validation.metadata.ConstraintDescriptor;
import jakarta.validation.metadata.ContainerElementTypeDescriptor;
import jakarta.validation.metadata.PropertyDescriptor;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.hibernate.validator.BaseHibernateValidatorConfiguration;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.PredefinedScopeHibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.introspect.BeanPropertyDefinition;
import tools.jackson.databind.type.TypeFactory;

/**
 * Checks payloads against their Bean Validation constraints with Hibernate Validator (no expression
 * language at run time) and reports violations with the payload's JSON paths.
 *
 * <p>Thread-safe.
 */
public final class PayloadValidator {
  private static final class Holder {
    static final ValidatorFactory FACTORY =
        configure(Validation.byProvider(HibernateValidator.class).configure())
            .buildValidatorFactory();
    static final Validator VALIDATOR = FACTORY.getValidator();
  }

  /**
   * Zocket's settings of a validator factory: no expression language at run time, English messages
   * whatever the JVM's locale (they go to remote peers as part of the protocol), and constraints on
   * the type arguments of a {@code CompletableFuture} reply.
   */
  private static <C extends BaseHibernateValidatorConfiguration<C>> C configure(C configuration) {
    return configuration
        .messageInterpolator(new Messages())
        .addValueExtractor(new CompletionStageValues());
  }

  /**
   * Hibernate Validator's parameter interpolator, with the words of {@code @DecimalMin} and
   * {@code @DecimalMax} chosen here: their default messages choose them with an expression, which
   * that interpolator leaves in the text (and warns about, once per violation).
   */
  private static final class Messages implements MessageInterpolator {
    private final MessageInterpolator delegate =
        new ParameterMessageInterpolator(Set.of(Locale.ENGLISH), Locale.ENGLISH, false);

    @Override
    public String interpolate(String template, Context context) {
      return delegate.interpolate(template(template, context.getConstraintDescriptor()), context);
    }

    @Override
    public String interpolate(String template, Context context, Locale locale) {
      return delegate.interpolate(
          template(template, context.getConstraintDescriptor()), context, locale);
    }
  }

  /**
   * The message template a constraint's violations are interpolated from: its own, except for the
   * default ones of {@code @DecimalMin} and {@code @DecimalMax}, whose wording depends on {@code
   * inclusive}.
   */
  public static String template(String template, ConstraintDescriptor<?> constraint) {
    boolean inclusive = !Boolean.FALSE.equals(constraint.getAttributes().get("inclusive"));
    return switch (template) {
      case "{jakarta.validation.constraints.DecimalMin.message}" ->
          inclusive ? "must be greater than or equal to {value}" : "must be greater than {value}";
      case "{jakarta.validation.constraints.DecimalMax.message}" ->
          inclusive ? "must be less than or equal to {value}" : "must be less than {value}";
      default -> template;
    };
  }

  /** Makes the Jackson types of a union's records, to look at their constraints. */
  private static final TypeFactory MEMBER_TYPES = TypeFactory.createDefaultInstance();

  private static final Comparator<Violation> ORDER =
      Comparator.comparing(Violation::path).thenComparing(Violation::message);

  private final Validator validator;
  private final ObjectMapper mapper;

  /**
   * How a value of a class is checked: with {@link #validator}, or with one made for the class's
   * scope (see {@link #forTypes}); null when nothing in its values can carry a constraint (the
   * JDK's classes, and known classes without constraints).
   */
  private final ClassValue<Checker> validators;

  /**
   * How the values of one class are checked.
   *
   * @param validator validates them and reports their violations
   * @param direct their constraints checked without the validator, for the values that pass; null
   *     when only the validator checks them (see {@link DirectChecks})
   */
  private record Checker(Validator validator, DirectChecks direct) {
    /** Lists, sets, maps and arrays of objects: their elements are checked, each as itself. */
    static final Checker ELEMENTS = new Checker(null, null);
  }

  private final ClassValue<Map<String, String>> jsonNames =
      new ClassValue<>() {
        @Override
        protected Map<String, String> computeValue(Class<?> type) {
          Map<String, String> names = new HashMap<>();
          BeanDescription d =
              mapper._serializationContext().introspectBeanDescription(mapper.constructType(type));
          for (BeanPropertyDefinition p : d.findProperties()) {
            names.put(p.getInternalName(), p.getName());
          }
          return names;
        }
      };

  /**
   * A payload validator with Zocket's own validator factory (see {@link #factory}).
   *
   * @param mapper the codec's mapper, whose property names the violation paths use
   */
  public PayloadValidator(ObjectMapper mapper) {
    this(mapper, null);
  }

  /**
   * @param mapper the codec's mapper, whose property names the violation paths use
   * @param validator an application's own validator, or null for Zocket's
   */
  public PayloadValidator(ObjectMapper mapper, Validator validator) {
    this(mapper, validator != null ? validator : Holder.VALIDATOR, Set.of(), null);
  }

  /**
   * @param known classes whose every reachable value is of a known class ({@link ValidationScope})
   * @param scoped checks the values of the {@code known} classes that carry constraints; null when
   *     none does
   */
  private PayloadValidator(
      ObjectMapper mapper, Validator validator, Set<Class<?>> known, Validator scoped) {
    this.validator = validator;
    this.mapper = mapper;
    this.validators =
        new ClassValue<>() {
          @Override
          protected Checker computeValue(Class<?> type) {
            if (Collection.class.isAssignableFrom(type)
                || Map.class.isAssignableFrom(type)
                || (type.isArray() && !type.getComponentType().isPrimitive())) {
              return Checker.ELEMENTS;
            }
            if (type.getName().startsWith("java.")) {
              return null;
            }
            if (!known.contains(type)) {
              // Zocket's own validator: its built-in constraints can be checked directly.
              return new Checker(
                  validator,
                  validator == Holder.VALIDATOR && type.isRecord()
                      ? DirectChecks.of(
                          type,
                          validator.getConstraintsForClass(type),
                          PayloadValidator.this::holds)
                      : null);
            }
            // Nothing it can reach is of another class: unconstrained, it has nothing to check.
            BeanDescriptor bean = validator.getConstraintsForClass(type);
            return bean.isBeanConstrained()
                ? new Checker(scoped, DirectChecks.of(type, bean, PayloadValidator.this::holds))
                : null;
          }
        };
  }

  /** Whether the values of a class are checked directly before the validator sees them. */
  boolean checksDirectly(Class<?> type) {
    Checker checker = validators.get(type);
    return checker != null && checker.direct() != null;
  }

  /**
   * Whether a value passes its class's direct checks: true when its class has nothing to check,
   * false when its checks are not direct or it is a container (then {@link #collect} decides). For
   * a payload, and for a value reached through {@code @Valid}.
   */
  private boolean holds(Object value) {
    Checker checker = validators.get(value.getClass());
    return checker == null
        || (checker != Checker.ELEMENTS
            && checker.direct() != null
            && checker.direct().holds(value));
  }

  /**
   * A payload validator for values of known types, such as a server's payloads and replies. With an
   * application's validator, as {@link #PayloadValidator(ObjectMapper, Validator)}. Else the values
   * of the types whose every reachable value is of a class known in advance (records, sealed unions
   * of them, enums without constant bodies, the JDK's value classes, and containers of these) are
   * checked by a validator made for those classes, with their constraints read now (Hibernate
   * Validator's predefined scope: no cache of soft references looked up per value), or not at all
   * when they carry none; every other value with Zocket's own validator factory. Both have the same
   * settings and give the same violations.
   *
   * @param mapper the codec's mapper, whose property names the violation paths use
   * @param validator an application's own validator, or null for Zocket's
   * @param types the types whose values will be validated; others may be too
   */
  public static PayloadValidator forTypes(
      ObjectMapper mapper, Validator validator, Collection<JavaType> types) {
    if (validator != null) {
      return new PayloadValidator(mapper, validator);
    }
    Set<Class<?>> known = ValidationScope.of(mapper.getTypeFactory(), types);
    boolean constrained = false;
    for (Class<?> c : known) {
      constrained |= Holder.VALIDATOR.getConstraintsForClass(c).isBeanConstrained();
    }
    Validator scoped =
        !constrained
            ? null
            : configure(
                    Validation.byProvider(PredefinedScopeHibernateValidator.class)
                        .configure()
                        .initializeBeanMetaData(known)
                        // Hibernate Validator 8 initializes none of its built-in constraints
                        // unless told which; 9 all of them.
                        .builtinConstraints(constraintsOf(known))
                        .locales(Set.of(Locale.ENGLISH))
                        .defaultLocale(Locale.ENGLISH))
                .buildValidatorFactory()
                .getValidator();
    return new PayloadValidator(mapper, Holder.VALIDATOR, known, scoped);
  }

  /** The names of the constraint annotations the classes carry, composing ones included. */
  static Set<String> constraintsOf(Set<Class<?>> classes) {
    Set<String> names = new HashSet<>();
    for (Class<?> c : classes) {
      BeanDescriptor bean = Holder.VALIDATOR.getConstraintsForClass(c);
      addConstraints(bean.getConstraintDescriptors(), names);
      for (PropertyDescriptor property : bean.getConstrainedProperties()) {
        addConstraints(property.getConstraintDescriptors(), names);
        addElementConstraints(property.getConstrainedContainerElementTypes(), names);
      }
    }
    return names;
  }

  private static void addElementConstraints(
      Set<ContainerElementTypeDescriptor> elements, Set<String> names) {
    for (ContainerElementTypeDescriptor element : elements) {
      addConstraints(element.getConstraintDescriptors(), names);
      addElementConstraints(element.getConstrainedContainerElementTypes(), names);
    }
  }

  private static void addConstraints(Set<ConstraintDescriptor<?>> constraints, Set<String> names) {
    for (ConstraintDescriptor<?> constraint : constraints) {
      if (names.add(constraint.getAnnotation().annotationType().getName())) {
        addConstraints(constraint.getComposingConstraints(), names);
      }
    }
  }

  /**
   * The validator factory every payload is checked with: its constraint metadata and its message
   * interpolator are what the TypeScript generator mirrors.
   */
  public static ValidatorFactory factory() {
    return Holder.FACTORY;
  }

  /** Whether values of a type (or, for containers, their elements) carry constraints. */
  static boolean isConstrained(JavaType type) {
    if (type.isContainerType()) {
      return isConstrained(type.getContentType());
    }
    Class<?> c = type.getRawClass();
    if (SealedUnions.isUnion(c)) {
      // A union's value is one of its records, each validated as itself.
      for (Class<?> member : c.getPermittedSubclasses()) {
        if (isConstrained(MEMBER_TYPES.constructType(member))) {
          return true;
        }
      }
      return false;
    }
    if (c.isPrimitive()
        || c.isEnum()
        || c.getName().startsWith("java.")
        || Temporal.class.isAssignableFrom(c)
        || c.isInterface()) {
      return false;
    }
    return Holder.VALIDATOR.getConstraintsForClass(c).isBeanConstrained();
  }

  /**
   * Validates a payload; a list, set, array or map is validated element by element.
   *
   * @param what names the payload in the exception's message, for example {@code "rooms.join"}
   * @throws InvalidPayloadException listing every violation, in path order
   */
  public void validate(String what, Object payload) {
    if (payload == null || holds(payload)) {
      return; // the common case: nothing to collect
    }
    List<Violation> found = new ArrayList<>(0);
    collect(payload, "", found);
    if (!found.isEmpty()) {
      found.sort(ORDER);
      throw new InvalidPayloadException("Invalid payload for " + what, found);
    }
  }

  /**
   * Validates handshake headers.
   *
   * @throws InvalidPayloadException with message {@code "Invalid headers"}
   */
  public void validateHeaders(Object headers) {
    if (headers == null || holds(headers)) {
      return;
    }
    List<Violation> found = new ArrayList<>(0);
    collect(headers, "", found);
    if (!found.isEmpty()) {
      found.sort(ORDER);
      throw new InvalidPayloadException("Invalid headers", found);
    }
  }

  /**
   * Validates the value of a reply to a call: as {@link #validate}, and against the Bean Validation
   * constraints written on the reply type's type arguments ({@code List<@NotNull Todo>}, also
   * inside {@code CompletableFuture<...>}), with the reply's JSON paths ({@code [2]}). Those are
   * checked with Zocket's own validator factory (whatever validator this one was given), which can
   * see into a {@code CompletionStage}; the reply's beans with this one's.
   *
   * @param method the contract method the reply answers
   * @param what names the reply in the exception's message
   * @throws InvalidPayloadException listing every violation, in path order
   */
  public void validateReply(Method method, String what, Object value) {
    if (!TypeUseConstraints.onReply(method)) {
      validate(what, value);
      return;
    }
    Set<Violation> found = new HashSet<>();
    Object returned =
        CompletionStage.class.isAssignableFrom(method.getReturnType())
            ? CompletableFuture.completedFuture(value)
            : value;
    for (ConstraintViolation<Object> v :
        Holder.VALIDATOR
            .forExecutables()
            .validateReturnValue(TypeUseConstraints.instance(method), method, returned)) {
      found.add(new Violation(jsonPath(returned, v.getPropertyPath()), v.getMessage()));
    }
    List<Violation> all = new ArrayList<>(0);
    if (value != null) {
      collect(value, "", all);
    }
    found.addAll(all);
    if (!found.isEmpty()) {
      List<Violation> sorted = new ArrayList<>(found);
      sorted.sort(ORDER);
      throw new InvalidPayloadException("Invalid payload for " + what, sorted);
    }
  }

  private void collect(Object value, String prefix, List<Violation> out) {
    if (value == null) {
      return;
    }
    Checker checker = validators.get(value.getClass());
    if (checker == null) {
      return; // nothing in it can carry a constraint
    }
    if (checker != Checker.ELEMENTS) {
      if (checker.direct() == null || !checker.direct().holds(value)) {
        report(value, prefix, checker.validator(), out);
      }
    } else if (value instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        collect(e, prefix + "[" + i++ + "]", out);
      }
    } else if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        collect(e.getValue(), prefix + "[" + e.getKey() + "]", out);
      }
    } else {
      for (int i = 0; i < Array.getLength(value); i++) {
        collect(Array.get(value, i), prefix + "[" + i + "]", out);
      }
    }
  }

  /** The violations the validator finds in a value, with their paths under {@code prefix}. */
  private void report(Object value, String prefix, Validator checker, List<Violation> out) {
    for (ConstraintViolation<Object> v : checker.validate(value)) {
      String path = jsonPath(value, v.getPropertyPath());
      String full =
          prefix.isEmpty()
              ? path
              : path.isEmpty() ? prefix : prefix + (path.startsWith("[") ? "" : ".") + path;
      out.add(new Violation(full, v.getMessage()));
    }
  }

  /** A violation's path in the payload's JSON names: {@code items[0].name}, {@code user-name}. */
  private String jsonPath(Object root, Path path) {
    StringBuilder sb = new StringBuilder();
    Object current = root;
    for (Path.Node node : path) {
      if (node.isInIterable()) {
        Object key = node.getIndex() != null ? node.getIndex() : node.getKey();
        sb.append('[').append(key == null ? "" : key).append(']');
        current = element(current, node.getIndex(), node.getKey());
      }
      if (node.getKind() == ElementKind.PROPERTY) {
        String name = node.getName();
        if (current != null) {
          name = jsonNames.get(current.getClass()).getOrDefault(name, name);
        }
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(name);
        current = node.as(org.hibernate.validator.path.PropertyNode.class).getValue();
      } else if (node.getKind() == ElementKind.CONTAINER_ELEMENT) {
        current = node.as(org.hibernate.validator.path.ContainerElementNode.class).getValue();
      }
    }
    return sb.toString();
  }

  private static Object element(Object container, Integer index, Object key) {
    if (container instanceof List<?> l && index != null && index < l.size()) {
      return l.get(index);
    }
    if (container instanceof Map<?, ?> m && key != null) {
      return m.get(key);
    }
    if (container instanceof Iterable<?> it && index != null) {
      Iterator<?> i = it.iterator();
      for (int n = 0; n < index && i.hasNext(); n++) {
        i.next();
      }
      return i.hasNext() ? i.next() : null;
    }
    if (container != null && container.getClass().isArray() && index != null) {
      return Array.get(container, index);
    }
    return null;
  }
}
