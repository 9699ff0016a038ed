package dev.zocket.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** What contract proxies do for methods that are not routes. */
public final class Proxies {
  /** Default methods of non-public contracts, which {@code invokeDefault} may not call from here. */
  private static final ConcurrentHashMap<Method, MethodHandle> PRIVATE_DEFAULTS =
      new ConcurrentHashMap<>();

  private Proxies() {}

  /**
   * Answers {@code equals}, {@code hashCode} and {@code toString} locally and runs {@code default}
   * methods as written, also those of contracts that are not public.
   *
   * @param description the proxy's {@code toString}
   */
  public static Object local(
      Object proxy, Method method, Object[] args, Supplier<String> description) throws Throwable {
    if (method.isDefault()) {
      if (Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      MethodHandle handle = PRIVATE_DEFAULTS.computeIfAbsent(method, Proxies::privateDefault);
      Object[] all = new Object[(args == null ? 0 : args.length) + 1];
      all[0] = proxy;
      if (args != null) {
        System.arraycopy(args, 0, all, 1, args.length);
      }
      return handle.invokeWithArguments(all);
    }
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> description.get();
      default -> throw new UnsupportedOperationException(method.toString());
    };
  }

  private static MethodHandle privateDefault(Method method) {
    Class<?> type = method.getDeclaringClass();
    try {
      return MethodHandles.privateLookupIn(type, MethodHandles.lookup()).unreflectSpecial(method, type);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(
          "Cannot call the default method "
              + type.getSimpleName()
              + "."
              + method.getName()
              + " of a non-public contract; make the interface public or open its package to"
              + " dev.zocket.core",
          e);
    }
  }
}
