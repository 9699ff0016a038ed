package dev.zocket.client;

import dev.zocket.internal.MessageReader;
import dev.zocket.internal.RouteDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One event route and the listener methods it calls, in registration order. */
final class EventRoute implements MessageReader.Routed {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final RouteDescriptor route;
  private final List<Object> listeners = new ArrayList<>();
  private final List<Method> methods = new ArrayList<>();

  EventRoute(RouteDescriptor route) {
    this.route = route;
  }

  @Override
  public RouteDescriptor route() {
    return route;
  }

  void add(Object listener, Method method) {
    // Lets a listener of a non-public contract interface be called from this package.
    method.trySetAccessible();
    listeners.add(listener);
    methods.add(method);
  }

  EventRoute copy() {
    EventRoute c = new EventRoute(route);
    c.listeners.addAll(listeners);
    c.methods.addAll(methods);
    return c;
  }

  /** Calls every listener; one that throws is logged and the others still run. */
  void deliver(Object payload) {
    Object[] args = route.hasPayload() ? new Object[] {payload} : new Object[0];
    for (int i = 0; i < listeners.size(); i++) {
      try {
        methods.get(i).invoke(listeners.get(i), args);
      } catch (InvocationTargetException e) {
        log.warn("Listener {} threw on event {}", listeners.get(i), route.route(), e.getCause());
      } catch (IllegalAccessException | RuntimeException e) {
        log.warn("Listener {} could not be called for {}", listeners.get(i), route.route(), e);
      }
    }
  }
}
