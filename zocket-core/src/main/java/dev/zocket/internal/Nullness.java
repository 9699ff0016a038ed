package dev.zocket.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedTypeVariable;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.concurrent.CompletionStage;

/**
 * JSpecify nullness of the types a contract writes. In code under {@code @NullMarked} (on the
 * method, its class, an enclosing class, the package or the module, the nearest of {@code
 * NullMarked} and {@code NullUnmarked} deciding) a type is non-null unless written
 * {@code @Nullable}: record components, type arguments ({@code List<Todo>}'s elements, a map's
 * values) and array elements alike. {@code @NonNull} makes a type non-null anywhere. Elsewhere, and
 * for type variables and wildcards, null is a value as before.
 *
 * <p>The annotations are read by name: JSpecify is the application's dependency, not Zocket's.
 * Thread-safe.
 */
public final class Nullness {
  private static final String MARKED = "org.jspecify.annotations.NullMarked";
  private static final String UNMARKED = "org.jspecify.annotations.NullUnmarked";
  private static final String NULLABLE = "org.jspecify.annotations.Nullable";
  private static final String NON_NULL = "org.jspecify.annotations.NonNull";

  /** Whether a class's code is null-marked, from its own annotations outwards. */
  private static final ClassValue<Boolean> CLASSES =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
          Boolean own = decision(c);
          if (own != null) {
            return own;
          }
          Executable method = c.getEnclosingMethod();
          if (method == null) {
            method = c.getEnclosingConstructor();
          }
          if (method != null) {
            return isMarked(method);
          }
          Class<?> outer = c.getEnclosingClass();
          if (outer != null) {
            return get(outer);
          }
          Boolean pkg = c.getPackage() == null ? null : decision(c.getPackage());
          if (pkg != null) {
            return pkg;
          }
          return Boolean.TRUE.equals(decision(c.getModule()));
        }
      };

  private Nullness() {}

  /**
   * A type as written at one place of a contract, with whether that place is null-marked.
   *
   * @param type the type, with its type-use annotations
   * @param marked whether the code it is written in is null-marked
   */
  public record Use(AnnotatedType type, boolean marked) {
    /**
     * Whether null is not a value here: a primitive, a type written {@code @NonNull}, or one in
     * null-marked code not written {@code @Nullable}.
     */
    public boolean nonNull() {
      if (type.getType() instanceof Class<?> c && c.isPrimitive()) {
        return true;
      }
      if (has(type, NULLABLE)) {
        return false;
      }
      if (has(type, NON_NULL)) {
        return true;
      }
      if (type instanceof AnnotatedTypeVariable || type instanceof AnnotatedWildcardType) {
        return false; // its nullness is the type argument's, not known here
      }
      return marked;
    }

    /**
     * The use of a type argument ({@code index} 0 of a list, 1 of a map), or of an array's element
     * (any index); null when the type has none written.
     */
    public Use argument(int index) {
      if (type instanceof AnnotatedArrayType a) {
        return new Use(a.getAnnotatedGenericComponentType(), marked);
      }
      if (type instanceof AnnotatedParameterizedType p
          && index < p.getAnnotatedActualTypeArguments().length) {
        return new Use(p.getAnnotatedActualTypeArguments()[index], marked);
      }
      return null;
    }
  }

  /**
   * The type of a bean's property as its accessor writes it: a field's type, a getter's return
   * type, a setter's or a creator's parameter type; null for other members.
   */
  public static Use ofMember(Member member, int parameter) {
    if (member instanceof Field f) {
      return new Use(f.getAnnotatedType(), isMarked(f.getDeclaringClass()));
    }
    if (member instanceof Method m && m.getParameterCount() == 0) {
      return new Use(m.getAnnotatedReturnType(), isMarked(m));
    }
    if (member instanceof Executable e && parameter >= 0 && parameter < e.getParameterCount()) {
      return new Use(e.getAnnotatedParameterTypes()[parameter], isMarked(e));
    }
    if (member instanceof Executable e && e.getParameterCount() == 1) {
      return new Use(e.getAnnotatedParameterTypes()[0], isMarked(e));
    }
    return null;
  }

  /** The type of a contract method's payload parameter. */
  public static Use ofPayload(Method method) {
    Parameter p = method.getParameters()[0];
    return new Use(p.getAnnotatedType(), isMarked(method));
  }

  /** The type of a contract method's reply, unwrapped from {@code CompletionStage}. */
  public static Use ofReply(Method method) {
    AnnotatedType type = method.getAnnotatedReturnType();
    if (CompletionStage.class.isAssignableFrom(method.getReturnType())
        && type instanceof AnnotatedParameterizedType p
        && p.getAnnotatedActualTypeArguments().length == 1) {
      type = p.getAnnotatedActualTypeArguments()[0];
    }
    return new Use(type, isMarked(method));
  }

  /** Whether code in a method is null-marked. */
  public static boolean isMarked(Executable method) {
    Boolean own = decision(method);
    return own != null ? own : isMarked(method.getDeclaringClass());
  }

  /** Whether code in a class is null-marked. */
  public static boolean isMarked(Class<?> c) {
    return CLASSES.get(c);
  }

  /** True for {@code @NullMarked}, false for {@code @NullUnmarked}, null for neither. */
  private static Boolean decision(AnnotatedElement e) {
    for (Annotation a : e.getDeclaredAnnotations()) {
      String name = a.annotationType().getName();
      if (name.equals(MARKED)) {
        return Boolean.TRUE;
      }
      if (name.equals(UNMARKED)) {
        return Boolean.FALSE;
      }
    }
    return null;
  }

  private static boolean has(AnnotatedType type, String annotation) {
    for (Annotation a : type.getDeclaredAnnotations()) {
      if (a.annotationType().getName().equals(annotation)) {
        return true;
      }
    }
    return false;
  }
}
