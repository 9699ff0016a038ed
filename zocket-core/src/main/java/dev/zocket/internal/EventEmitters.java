package dev.zocket.internal;

import dev.zocket.Emitter;
import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.spi.Target;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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

  /** Where acknowledged events go; null when the transport has none. */
  private final AckDelivery acks;

  private final ConcurrentHashMap<Class<?>, Emitter<?>> cache = new ConcurrentHashMap<>();

  /**
   * @param codec encodes events
   * @param validator checks outgoing payloads
   * @param validateOutgoing whether outgoing payloads are validated before sending
   * @param delivery where encoded events go
   */
  public EventEmitters(
      JsonCodec codec, PayloadValidator validator, boolean validateOutgoing, Delivery delivery) {
    this(codec, validator, validateOutgoing, delivery, null);
  }

  /**
   * @param codec encodes events
   * @param validator checks outgoing payloads
   * @param validateOutgoing whether outgoing payloads are validated before sending
   * @param delivery where encoded events go
   * @param acks where acknowledged events go; null if the transport cannot send them (they then
   *     fail with {@code UNSUPPORTED})
   */
  public EventEmitters(
      JsonCodec codec,
      PayloadValidator validator,
      boolean validateOutgoing,
      Delivery delivery,
      AckDelivery acks) {
    this.codec = codec;
    this.validator = validator;
    this.validateOutgoing = validateOutgoing;
    this.delivery = delivery;
    this.acks = acks;
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
                return new EmitterImpl<>(c, contract, List.of(), -1);
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

    /** How long acknowledged events wait for their answer; -1 for the method's or the default. */
    private final long ackTimeoutMillis;

    EmitterImpl(Class<E> type, Contract contract, List<String> except, long ackTimeoutMillis) {
      this.type = type;
      this.contract = contract;
      this.except = except;
      this.ackTimeoutMillis = ackTimeoutMillis;
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
      return new EmitterImpl<>(type, contract, List.copyOf(all), ackTimeoutMillis);
    }

    @Override
    public Emitter<E> ackTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("ackTimeout must be positive: " + timeout);
      }
      return new EmitterImpl<>(type, contract, except, Math.max(1, timeout.toMillis()));
    }

    private E proxy(Target target) {
      InvocationHandler h = new Sender(contract, target, ackTimeoutMillis);
      return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
    }

    @Override
    public String toString() {
      return "Emitter("
          + type.getSimpleName()
          + (except.isEmpty() ? "" : " except " + except)
          + (ackTimeoutMillis > 0 ? " ackTimeout " + ackTimeoutMillis + " ms" : "")
          + ")";
    }
  }

  private final class Sender implements InvocationHandler {
    private final Contract contract;
    private final Target target;
    private final long ackTimeoutMillis;

    Sender(Contract contract, Target target, long ackTimeoutMillis) {
      this.contract = contract;
      this.target = target;
      this.ackTimeoutMillis = ackTimeoutMillis;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      RouteDescriptor route = contract.route(method);
      if (route == null) {
        return Proxies.local(proxy, method, args, this::toString);
      }
      Object payload = args == null ? null : args[0];
      if (route.isCall()) {
        return ask(route, payload);
      }
      delivery.deliver(route.route(), target, event(route, payload));
      return null;
    }

    /** Sends an acknowledged event to its one client; see {@link Emitter}. */
    private CompletableFuture<Object> ask(RouteDescriptor route, Object payload) {
      if (target.kind() != Target.Kind.CLIENTS || target.ids().size() != 1) {
        throw new IllegalArgumentException(
            "An acknowledged event goes to one client, but "
                + route.methodName()
                + " was sent "
                + (target.kind() == Target.Kind.CLIENTS
                    ? "to " + target.ids().size() + " ids"
                    : target.kind() == Target.Kind.ROOMS ? "to rooms" : "to everyone")
                + ". Use to(clientId) with one id, once per client, and combine the futures.");
      }
      String clientId = target.ids().get(0);
      if (target.except().contains(clientId)) {
        throw new IllegalArgumentException(
            "An acknowledged event goes to one client, but "
                + route.methodName()
                + " was sent to client "
                + clientId
                + ", whom the emitter skips.");
      }
      if (validateOutgoing && route.validated() && payload != null) {
        validator.validate(route.route(), payload);
      }
      if (acks == null) {
        return CompletableFuture.failedFuture(
            new ZocketException(
                ErrorCodes.UNSUPPORTED,
                "This server cannot send acknowledged events (" + route.route() + ")"));
      }
      String type = route.route();
      boolean hasPayload = route.hasPayload();
      long timeout = ackTimeoutMillis > 0 ? ackTimeoutMillis : route.timeoutMillis();
      return acks.ask(
          route,
          clientId,
          rpcId -> out -> codec.writer().writeEnvelope(out, type, payload, hasPayload, rpcId),
          timeout);
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
