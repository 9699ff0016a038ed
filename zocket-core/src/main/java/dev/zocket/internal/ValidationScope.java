package dev.zocket.internal;

import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

/**
 * The classes whose values a validator may check with constraints read up front (Hibernate
 * Validator's predefined scope): such a validator finds a value's constraints in a plain map, with
 * no lookup in a cache of soft references per value, but takes a value of any class it was not
 * given for unconstrained, nested values included. So a class is in scope only when every value
 * reachable from one of its values is of a class known in advance: records, sealed unions of them,
 * enums whose constants have no bodies, and the JDK's final value classes, in lists, sets, maps,
 * arrays and optionals. Anything that can hold a value of an unforeseen class (an interface that is
 * not sealed, a class that is not a record, {@code Object}, a type variable) keeps the class that
 * reaches it out of scope, and its values are validated as before.
 *
 * <p>Not thread-safe; used while a server is assembled.
 */
final class ValidationScope {
  private final TypeFactory types;
  private final Set<Class<?>> classes = new HashSet<>();

  private ValidationScope(TypeFactory types) {
    this.types = types;
  }

  /**
   * The classes in scope among {@code roots} and what their values reach; sealed interfaces are
   * walked, not kept: no value is of one.
   */
  static Set<Class<?>> of(TypeFactory types, Collection<JavaType> roots) {
    ValidationScope scope = new ValidationScope(types);
    for (JavaType root : roots) {
      scope.add(root);
    }
    Set<Class<?>> classes = new HashSet<>();
    for (Class<?> c : scope.classes) {
      if (!c.isInterface()) {
        classes.add(c);
      }
    }
    return Set.copyOf(classes);
  }

  /** Adds a type's classes if every value it can reach is of a class known in advance. */
  private void add(JavaType root) {
    Set<Class<?>> reached = new HashSet<>(classes);
    if (closed(root, reached)) {
      classes.addAll(reached);
    }
  }

  private boolean closed(JavaType type, Set<Class<?>> reached) {
    if (type == null) {
      return true;
    }
    if (type.isMapLikeType()) {
      return closed(type.getKeyType(), reached) && closed(type.getContentType(), reached);
    }
    if (type.isContainerType() || type.isReferenceType()) {
      return closed(type.getContentType(), reached);
    }
    Class<?> c = type.getRawClass();
    if (c.isPrimitive()) {
      return true;
    }
    if (c.isEnum()) {
      // A constant with a body is a value of a class of its own.
      for (Object constant : c.getEnumConstants()) {
        if (constant.getClass() != c) {
          return false;
        }
      }
      reached.add(c);
      return true;
    }
    if (c.isInterface() && !c.isSealed()) {
      return false;
    }
    if (c.getName().startsWith("java.")) {
      // The JDK's classes carry no constraints; one that an application may extend (Object first)
      // could hold a value of its own class (a number's subclasses are taken for the JDK's).
      return Modifier.isFinal(c.getModifiers()) || Number.class.isAssignableFrom(c);
    }
    if (!reached.add(c)) {
      return true; // a recursive type: its other paths are being walked
    }
    if (c.isRecord()) {
      for (RecordComponent component : c.getRecordComponents()) {
        if (!closed(
            types.resolveMemberType(component.getGenericType(), type.getBindings()), reached)) {
          return false;
        }
      }
      return true;
    }
    if (c.isSealed()) {
      for (Class<?> member : c.getPermittedSubclasses()) {
        if (!closed(types.constructType(member), reached)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
