package dev.zocket.client;

import dev.zocket.internal.MessageReader;
import dev.zocket.internal.MethodInvoker;
import dev.zocket.internal.RouteDescriptor;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One event route and the listener methods it calls, in registration order. */
final class EventRoute implements MessageReader.Routed {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final RouteDescriptor route;
  private final List<Object> listeners = new ArrayList<>();
  private final List<MethodInvoker> methods = new ArrayList<>();

  EventRoute(RouteDescriptor route) {
    this.route = route;
  }

  @Override
  public RouteDescriptor route() {
    return route;
  }

  /** Adds a listener, called through the invoker of its method for this route. */
  void add(Object listener, MethodInvoker method) {
    listeners.add(listener);
    methods.add(method);
  }

  EventRoute copy() {
    EventRoute c = new EventRoute(route);
    c.listeners.addAll(listeners);
    c.methods.addAll(methods);
    return c;
  }

  /**
   * Calls the one listener of an acknowledged event and returns what it returned: its answer's
   * stage. Throws what the listener throws.
   */
  Object ask(Object payload) throws Throwable {
    return methods.get(0).invoke(listeners.get(0), payload);
  }

  /** Calls every listener; one that throws is logged and the others still run. */
  void deliver(Object payload) {
    for (int i = 0; i < listeners.size(); i++) {
      try {
        methods.get(i).invoke(listeners.get(i), payload);
      } catch (Throwable t) { // whatever one listener does, the others and later events still run
        log.warn("Listener {} threw on event {}", listeners.get(i), route.route(), t);
      }
    }
  }
}
