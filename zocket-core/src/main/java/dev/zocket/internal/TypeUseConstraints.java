package dev.zocket.internal;

import jakarta.validation.Constraint;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the Bean Validation constraints a contract method writes on its reply type ({@code
 * CompletableFuture<List<@NotNull Todo>>}), which {@link PayloadValidator#validateReply} checks as
 * the method's return value. Thread-safe.
 */
public final class TypeUseConstraints {
  private static final Map<Method, Boolean> REPLIES = new ConcurrentHashMap<>();

  /** A stand-in of each contract interface: Bean Validation checks a return value of an object. */
  private static final ClassValue<Object> INSTANCES =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> contract) {
          return Proxy.newProxyInstance(
              contract.getClassLoader(),
              new Class<?>[] {contract},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException("a stand-in for validation only");
              });
        }
      };

  private TypeUseConstraints() {}

  /** Whether a method's reply type, or the method itself, carries constraints. */
  public static boolean onReply(Method method) {
    return REPLIES.computeIfAbsent(
        method, m -> constrained(m.getAnnotations()) || constrained(m.getAnnotatedReturnType()));
  }

  /** An object of the method's contract interface, whose methods must not be called. */
  static Object instance(Method method) {
    return INSTANCES.get(method.getDeclaringClass());
  }

  private static boolean constrained(AnnotatedType type) {
    if (constrained(type.getAnnotations())) {
      return true;
    }
    if (type instanceof AnnotatedArrayType a) {
      return constrained(a.getAnnotatedGenericComponentType());
    }
    if (type instanceof AnnotatedParameterizedType p) {
      for (AnnotatedType argument : p.getAnnotatedActualTypeArguments()) {
        if (constrained(argument)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean constrained(Annotation[] annotations) {
    for (Annotation a : annotations) {
      if (a.annotationType().isAnnotationPresent(Constraint.class)
          || a.annotationType().getName().equals("jakarta.validation.Valid")) {
        return true;
      }
    }
    return false;
  }
}
