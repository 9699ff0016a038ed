package dev.zocket.test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records the events a client receives for one event contract, in order, for a test to take one by
 * one. {@link #listener()} is the implementation of the contract to register with the client
 * ({@code ZocketClient.Builder.on(events, recorder.listener())}); each call of one of its methods
 * records the event's name and payload, of default methods too (in an event contract a default
 * method is an event that a listener need not implement).
 *
 * <pre>{@code
 * EventRecorder<RoomEvents> events = EventRecorder.of(RoomEvents.class);
 * ZocketClient alice = ZocketClient.builder(server.uri()).on(RoomEvents.class, events.listener())
 *     .connect();
 * alice.proxy(Rooms.class).join(new RoomId("lobby"));
 * assertThat(events.next(Joined.class).roomId()).isEqualTo("lobby");
 * }</pre>
 *
 * <p>Thread-safe: the listener is called on the client's callback thread, the test takes events on
 * its own.
 *
 * @param <E> the event contract
 */
public final class EventRecorder<E> {
  /**
   * One event as it was received.
   *
   * @param name the name of the contract method that received it (the route without namespace)
   * @param payload its payload (null for a method without parameter)
   */
  public record Event(String name, Object payload) {}

  private final Class<E> contract;
  private final E listener;
  private final BlockingQueue<Event> received = new LinkedBlockingQueue<>();
  private final List<Event> all = new ArrayList<>(); // guarded by itself

  private EventRecorder(Class<E> contract) {
    this.contract = contract;
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, method, args);
          }
          // Every other method is an event, default ones too: in an event contract a default
          // method is an event a listener need not implement.
          Event e = new Event(method.getName(), args == null || args.length == 0 ? null : args[0]);
          synchronized (all) {
            all.add(e);
          }
          received.add(e);
          return null;
        };
    this.listener =
        contract.cast(
            Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[] {contract}, h));
  }

  /**
   * A recorder for the events of {@code contract}.
   *
   * @param contract an event contract: an interface whose methods return void
   * @throws IllegalArgumentException if {@code contract} is not an interface
   */
  public static <E> EventRecorder<E> of(Class<E> contract) {
    Objects.requireNonNull(contract, "contract == null");
    if (!contract.isInterface()) {
      throw new IllegalArgumentException(contract.getName() + " is not an interface");
    }
    return new EventRecorder<>(contract);
  }

  /** The implementation of the contract that records what it is called with. */
  public E listener() {
    return listener;
  }

  /**
   * The payload of the next event not taken yet, waiting up to {@link Await#DEFAULT_TIMEOUT}.
   *
   * @throws AssertionError if none arrives in time
   */
  public Object next() {
    return nextEvent(Await.DEFAULT_TIMEOUT).payload();
  }

  /**
   * The payload of the next event not taken yet, which must be a {@code type}, waiting up to {@link
   * Await#DEFAULT_TIMEOUT}.
   *
   * @throws AssertionError if none arrives in time, or the next one is of another type
   */
  public <P> P next(Class<P> type) {
    Event e = nextEvent(Await.DEFAULT_TIMEOUT);
    if (!type.isInstance(e.payload())) {
      throw new AssertionError("Expected a " + type.getSimpleName() + " event, got " + e);
    }
    return type.cast(e.payload());
  }

  /**
   * The next event not taken yet, with its name, waiting up to {@code timeout}.
   *
   * @throws AssertionError if none arrives in time
   */
  public Event nextEvent(Duration timeout) {
    try {
      Event e = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError(
            "No " + contract.getSimpleName() + " event within " + timeout + "; received " + all());
      }
      return e;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for an event", ex);
    }
  }

  /** Every event received so far, taken or not, in order. */
  public List<Event> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  private Object objectMethod(Object proxy, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "EventRecorder(" + contract.getSimpleName() + ")";
    };
  }
}
