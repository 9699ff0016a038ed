package dev.zocket;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Overrides the route name of a contract method, which is otherwise the method's own name.
 *
 * <p>Contract: the value must be a non-empty name without dots or white space and must not start
 * with {@code "__"} (reserved for the protocol, as in {@code __rpc_res}). The namespace, if any, is
 * still prefixed.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Route {
  /**
   * The route name within the namespace.
   *
   * @return the name, for example {@code "say"}
   */
  String value();
}
