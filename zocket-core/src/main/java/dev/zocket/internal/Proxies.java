package dev.zocket.internal;

import java.lang.reflect.Method;
import java.util.function.Supplier;

/** What contract proxies do for methods that are not routes. */
public final class Proxies {
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
      return MethodInvoker.invokeDefault(proxy, method, args);
    }
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> description.get();
      default -> throw new UnsupportedOperationException(method.toString());
    };
  }
}
