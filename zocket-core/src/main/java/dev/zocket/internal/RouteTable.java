package dev.zocket.internal;

import dev.zocket.Context;
import dev.zocket.ContractException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The routes a server handles: every registered contract's routes, each bound to the index of its
 * per-connection handler and to the {@link MethodInvoker} that calls it. Immutable once built.
 */
public final class RouteTable implements MessageReader.Routes<RouteTable.Binding> {
  /** One route bound to its handler. */
  public static final class Binding implements MessageReader.Routed {
    final RouteDescriptor route;
    final int handlerIndex;
    final MethodInvoker invoker;

    Binding(RouteDescriptor route, int handlerIndex, MethodInvoker invoker) {
      this.route = route;
      this.handlerIndex = handlerIndex;
      this.invoker = invoker;
    }

    @Override
    public RouteDescriptor route() {
      return route;
    }
  }

  private final Map<String, Binding> byRoute;
  private final List<Function<Context<?>, ?>> factories;
  private final List<Class<?>> contracts;

  private RouteTable(
      Map<String, Binding> byRoute,
      List<Function<Context<?>, ?>> factories,
      List<Class<?>> contracts) {
    this.byRoute = byRoute;
    this.factories = factories;
    this.contracts = contracts;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The binding of a route, or null. */
  @Override
  public Binding find(String route) {
    return byRoute.get(route);
  }

  /** The registered contract interfaces, in registration order. */
  public List<Class<?>> contracts() {
    return contracts;
  }

  /**
   * Creates the handlers of one connection, one per registered contract.
   *
   * @throws IllegalStateException if a factory returns null or an object of the wrong type
   */
  public Object[] newHandlers(Context<?> context) {
    Object[] handlers = new Object[factories.size()];
    for (int i = 0; i < handlers.length; i++) {
      Object h = factories.get(i).apply(context);
      Class<?> contract = contracts.get(i);
      if (!contract.isInstance(h)) {
        throw new IllegalStateException(
            "The handler factory for "
                + contract.getSimpleName()
                + " returned "
                + (h == null ? "null" : "a " + h.getClass().getName())
                + ", not a "
                + contract.getSimpleName());
      }
      handlers[i] = h;
    }
    return handlers;
  }

  /** Collects contracts and their handler factories. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Binding> byRoute = new HashMap<>();
    private final List<Function<Context<?>, ?>> factories = new ArrayList<>();
    private final List<Class<?>> contracts = new ArrayList<>();

    /**
     * Adds a contract with the factory of its per-connection handler.
     *
     * @throws ContractException if the contract breaks a rule, was added before, or defines a route
     *     another contract defines
     */
    @SuppressWarnings(
        "unchecked") // the factory's context type is the server's; checked by its builder
    public <T> Builder add(Class<T> contract, Function<? super Context<?>, ? extends T> factory) {
      Objects.requireNonNull(contract, "contract == null");
      Objects.requireNonNull(factory, "factory == null");
      Contract c = Contracts.of(contract);
      if (contracts.contains(contract)) {
        throw new ContractException(
            "Contract "
                + contract.getSimpleName()
                + " is registered twice. Register each contract once."
                + "\n    for interface "
                + contract.getSimpleName());
      }
      int index = factories.size();
      for (RouteDescriptor r : c.routes()) {
        Binding existing = byRoute.get(r.route());
        if (existing != null) {
          throw new ContractException(
              "Route '"
                  + r.route()
                  + "' is defined twice, also by "
                  + existing.route.methodName()
                  + ". Give one of them another @Route or @Namespace."
                  + Contracts.forMethod(r.method()));
        }
        byRoute.put(r.route(), new Binding(r, index, MethodInvoker.of(r.method())));
      }
      factories.add((Function<Context<?>, ?>) factory);
      contracts.add(contract);
      return this;
    }

    /** The table. */
    public RouteTable build() {
      return new RouteTable(Map.copyOf(byRoute), List.copyOf(factories), List.copyOf(contracts));
    }
  }
}
