package dev.zocket.internal;

import dev.zocket.Emitter;
import dev.zocket.spi.Target;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds the typed {@link Emitter}s of a server. An event is validated once (when outgoing
 * validation is on) and handed to the {@link Delivery}, which writes it once per send, whatever the
 * number of recipients.
 *
 * <p>Thread-safe.
 */
public final class EventEmitters {
  private final JsonCodec codec;
  private final PayloadValidator validator;
  private final boolean validateOutgoing;
  private final Delivery delivery;
  private final ConcurrentHashMap<Class<?>, Emitter<?>> cache = new ConcurrentHashMap<>();

  /**
   * @param codec encodes events
   * @param validator checks outgoing payloads
   * @param validateOutgoing whether outgoing payloads are validated before sending
   * @param delivery where encoded events go
   */
  public EventEmitters(
      JsonCodec codec, PayloadValidator validator, boolean validateOutgoing, Delivery delivery) {
    this.codec = codec;
    this.validator = validator;
    this.validateOutgoing = validateOutgoing;
    this.delivery = delivery;
  }

  /**
   * The emitter of an event contract.
   *
   * @throws dev.zocket.ContractException if the interface breaks a rule, or a payload type cannot
   *     be read from JSON or written to JSON
   */
  @SuppressWarnings("unchecked") // the cache maps each class to an emitter of that class
  public <E> Emitter<E> emitter(Class<E> events) {
    Objects.requireNonNull(events, "events == null");
    Emitter<?> e = cache.get(events);
    if (e == null) {
      e =
          cache.computeIfAbsent(
              events,
              c -> {
                Contract contract = Contracts.events(c);
                codec.checkMappable(contract);
                return new EmitterImpl<>(c, contract, List.of());
              });
    }
    return (Emitter<E>) e;
  }

  /**
   * Validates an event of a route (when outgoing validation is on) and returns its text, to be
   * written once by the delivery; exposed for tests and benchmarks.
   *
   * @throws dev.zocket.InvalidPayloadException if the payload breaks its constraints
   */
  public Outgoing event(RouteDescriptor route, Object payload) {
    if (validateOutgoing && route.validated() && payload != null) {
      validator.validate(route.route(), payload);
    }
    String type = route.route();
    boolean hasPayload = route.hasPayload();
    return out -> codec.writer().writeEnvelope(out, type, payload, hasPayload, null);
  }

  private final class EmitterImpl<E> implements Emitter<E> {
    private final Class<E> type;
    private final Contract contract;
    private final List<String> except;

    EmitterImpl(Class<E> type, Contract contract, List<String> except) {
      this.type = type;
      this.contract = contract;
      this.except = except;
    }

    @Override
    public E to(String... clientIds) {
      return proxy(new Target(Target.Kind.CLIENTS, List.of(clientIds), except));
    }

    @Override
    public E toRoom(String... rooms) {
      return proxy(new Target(Target.Kind.ROOMS, List.of(rooms), except));
    }

    @Override
    public E broadcast() {
      return proxy(new Target(Target.Kind.EVERYONE, List.of(), except));
    }

    @Override
    public Emitter<E> except(String... clientIds) {
      List<String> more = List.of(clientIds);
      if (more.isEmpty()) {
        return this;
      }
      List<String> all = new java.util.ArrayList<>(except);
      all.addAll(more);
      return new EmitterImpl<>(type, contract, List.copyOf(all));
    }

    private E proxy(Target target) {
      InvocationHandler h = new Sender(contract, target);
      return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    @Override
    public String toString() {
      return "Emitter("
          + type.getSimpleName()
          + (except.isEmpty() ? "" : " except " + except)
          + ")";
    }
  }

  private final class Sender implements InvocationHandler {
    private final Contract contract;
    private final Target target;

    Sender(Contract contract, Target target) {
      this.contract = contract;
      this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      RouteDescriptor route = contract.route(method);
      if (route == null) {
        return Proxies.local(proxy, method, args, this::toString);
      }
      Object payload = args == null ? null : args[0];
      delivery.deliver(route.route(), target, event(route, payload));
      return null;
    }

    @Override
    public String toString() {
      return contract.type().getSimpleName()
          + " emitter to "
          + target.kind()
          + " "
          + target.ids()
          + (target.except().isEmpty() ? "" : " except " + target.except());
    }
  }
}
