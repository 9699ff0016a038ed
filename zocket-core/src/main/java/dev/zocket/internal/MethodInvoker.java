package dev.zocket.internal;

import dev.zocket.ContractException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one way Zocket calls a contract method: the server calls its handlers' route methods, the
 * client its listeners' event methods, each through an invoker made once per method (the
 * implementation's override runs, or the interface's default body); proxies run their own default
 * methods with {@link #invokeDefault}.
 *
 * <p>Thread-safe and immutable.
 */
public final class MethodInvoker {
  private static final MethodType TARGET_AND_PAYLOAD =
      MethodType.methodType(Object.class, Object.class, Object.class);

  /**
   * Default methods of non-public contracts, which {@code invokeDefault} may not call from here.
   */
  private static final ConcurrentHashMap<Method, MethodHandle> PRIVATE_DEFAULTS =
      new ConcurrentHashMap<>();

  /** {@code (Object target, Object payload) -> Object}, whatever the method's own signature. */
  private final MethodHandle handle;

  private MethodInvoker(MethodHandle handle) {
    this.handle = handle;
  }

  /**
   * An invoker of a route method: a method with at most one parameter, which {@link Contracts}
   * checked.
   *
   * @throws ContractException if the method cannot be accessed (a non-public interface whose
   *     package is not open to Zocket)
   */
  public static MethodInvoker of(Method method) {
    MethodHandle mh;
    try {
      mh = MethodHandles.publicLookup().unreflect(method);
    } catch (IllegalAccessException e) {
      try {
        method.setAccessible(true);
        mh = MethodHandles.lookup().unreflect(method);
      } catch (IllegalAccessException | RuntimeException e2) {
        throw new ContractException(
            "Cannot access the contract method; make the interface public or open its package."
                + Contracts.forMethod(method));
      }
    }
    if (method.getParameterCount() == 0) {
      mh = MethodHandles.dropArguments(mh, 1, Object.class);
    }
    return new MethodInvoker(mh.asType(TARGET_AND_PAYLOAD));
  }

  /**
   * Calls the method on an implementation.
   *
   * @param target implements the method's interface
   * @param payload the argument; ignored by a method without parameter
   * @return what the method returned; null for a void method
   * @throws Throwable what the method threw, as it threw it
   */
  public Object invoke(Object target, Object payload) throws Throwable {
    return handle.invokeExact(target, payload);
  }

  /**
   * Runs a default method of a proxy's interface as written, also of an interface that is not
   * public.
   *
   * @throws IllegalStateException if the interface is not public and its package is not open to
   *     Zocket
   */
  public static Object invokeDefault(Object proxy, Method method, Object[] args) throws Throwable {
    if (Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    MethodHandle handle = PRIVATE_DEFAULTS.computeIfAbsent(method, MethodInvoker::privateDefault);
    Object[] all = new Object[(args == null ? 0 : args.length) + 1];
    all[0] = proxy;
    if (args != null) {
      System.arraycopy(args, 0, all, 1, args.length);
    }
    return handle.invokeWithArguments(all);
  }

  private static MethodHandle privateDefault(Method method) {
    Class<?> type = method.getDeclaringClass();
    try {
      return MethodHandles.privateLookupIn(type, MethodHandles.lookup())
          .unreflectSpecial(method, type);
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
