package dev.zocket.internal;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JavaType;

/**
 * A contract interface read into its routes. Immutable; obtained from {@link Contracts#of}.
 *
 * @param type the interface
 * @param routes the routes, sorted by declaring interface and method name (reflection does not keep
 *     declaration order)
 * @param byMethod the routes by contract method
 */
public record Contract(
    Class<?> type, List<RouteDescriptor> routes, Map<Method, RouteDescriptor> byMethod) {

  /** The route of a contract method, or null if the method is not a route (a default method). */
  public RouteDescriptor route(Method method) {
    return byMethod.get(method);
  }

  /**
   * The types the routes' payloads and replies (a stream's items) are bound to, nulls left out:
   * what a server validates.
   */
  public List<JavaType> payloadTypes() {
    List<JavaType> types = new ArrayList<>();
    for (RouteDescriptor route : routes) {
      if (route.payloadJavaType() != null) {
        types.add(route.payloadJavaType());
      }
      if (route.replyJavaType() != null) {
        types.add(route.replyJavaType());
      }
    }
    return types;
  }
}
