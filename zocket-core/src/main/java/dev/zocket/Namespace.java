package dev.zocket;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives every route of a contract interface a common prefix.
 *
 * <p>A method {@code join} of an interface annotated {@code @Namespace("rooms")} has the route
 * {@code rooms.join}. Nested namespaces are written dot-joined ({@code "admin.users"}). Without
 * this annotation a route is just the method name (or its {@link Route} override).
 *
 * <p>Contract: the value must be one or more non-empty segments separated by single dots, with no
 * white space, and must not start with {@code "__"} (reserved for the protocol); anything else is
 * rejected when the contract is first read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Namespace {
  /**
   * The route prefix.
   *
   * @return the prefix, for example {@code "rooms"} or {@code "admin.users"}
   */
  String value();
}
