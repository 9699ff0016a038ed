package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.client.ClientInterceptor.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's {@link ClientInterceptor}s, run as a chain, and its {@link ClientObserver}s, told of
 * every occurrence with what they throw caught. Immutable; thread-safe as the hooks are.
 */
final class ClientHooks {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final List<ClientInterceptor> interceptors;
  private final List<Observer> observers;

  ClientHooks(List<ClientInterceptor> interceptors, List<ClientObserver> observers) {
    this.interceptors = List.copyOf(interceptors);
    this.observers = observers.stream().map(Observer::new).toList();
  }

  /** Whether there are interceptors to run. */
  boolean intercepting() {
    return !interceptors.isEmpty();
  }

  /** Whether there are observers to tell (else the client reads no clock for them). */
  boolean observing() {
    return !observers.isEmpty();
  }

  /**
   * Runs the interceptors around {@code last}, on the calling thread.
   *
   * @return what the outermost interceptor returned, or what {@code last} returned when there is
   *     none
   */
  Object intercept(ZocketClient client, Kind kind, String route, Object payload, Supplier<?> last) {
    if (interceptors.isEmpty()) {
      return last.get();
    }
    return new Chain(client, kind, route, payload, last, 0).proceed();
  }

  /** The error code an observer is told for a call's failure. */
  static String errorCode(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof ZocketException z) {
      return z.code();
    }
    if (t instanceof CancellationException) {
      return ClientObserver.CANCELLED;
    }
    return ErrorCodes.INTERNAL;
  }

  void connected(boolean reconnect) {
    tell(o -> o.onConnected(reconnect));
  }

  void recovery(boolean resumed) {
    tell(o -> o.onRecovery(resumed));
  }

  void disconnected(int code, String reason) {
    tell(o -> o.onDisconnected(code, reason));
  }

  void connectFailed(ZocketException error) {
    tell(o -> o.onConnectFailed(error));
  }

  void reconnectScheduled(int attempt, Duration delay) {
    tell(o -> o.onReconnectScheduled(attempt, delay));
  }

  void callCompleted(String route, long nanos, String errorCode) {
    tell(o -> o.onCallCompleted(route, nanos, errorCode));
  }

  void messageSent(String route) {
    tell(o -> o.onMessageSent(route));
  }

  void eventReceived(String route, String errorCode) {
    tell(o -> o.onEventReceived(route, errorCode));
  }

  private void tell(Consumer<ClientObserver> occurrence) {
    for (Observer o : observers) {
      o.tell(occurrence);
    }
  }

  /** One observer, and whether it has thrown before (the first throw is logged at warn). */
  private static final class Observer {
    final ClientObserver observer;
    final AtomicBoolean threw = new AtomicBoolean();

    Observer(ClientObserver observer) {
      this.observer = observer;
    }

    void tell(Consumer<ClientObserver> occurrence) {
      try {
        occurrence.accept(observer);
      } catch (RuntimeException e) {
        if (threw.compareAndSet(false, true)) {
          log.warn(
              "Client observer {} threw; its next exceptions are logged at debug", observer, e);
        } else {
          log.debug("Client observer {} threw", observer, e);
        }
      }
    }
  }

  /** The rest of the chain from one interceptor on. */
  private final class Chain implements ClientInterceptor.Invocation {
    private final ZocketClient client;
    private final Kind kind;
    private final String route;
    private final Object payload;
    private final Supplier<?> last;
    private final int index;

    Chain(
        ZocketClient client, Kind kind, String route, Object payload, Supplier<?> last, int index) {
      this.client = client;
      this.kind = kind;
      this.route = route;
      this.payload = payload;
      this.last = last;
      this.index = index;
    }

    @Override
    public Kind kind() {
      return kind;
    }

    @Override
    public String route() {
      return route;
    }

    @Override
    public Object payload() {
      return payload;
    }

    @Override
    public ZocketClient client() {
      return client;
    }

    @Override
    public Object proceed() {
      if (index == interceptors.size()) {
        return last.get();
      }
      return interceptors
          .get(index)
          .intercept(new Chain(client, kind, route, payload, last, index + 1));
    }

    @Override
    public String toString() {
      return kind + " " + route;
    }
  }
}
