package dev.zocket.internal;

import dev.zocket.DropReason;
import dev.zocket.spi.ZocketObserver;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's observers as one: tells each of them, in order, and keeps an observer's exception from
 * reaching the server (the first of each observer logged at warn, the next ones at debug). Callers
 * check {@link #enabled} first, so that a server without observers neither reads the clock nor
 * allocates for them. Thread-safe.
 */
public final class Observers implements ZocketObserver {
  private static final Logger log = LoggerFactory.getLogger(ZocketObserver.class);

  /** No observer. */
  public static final Observers NONE = new Observers(List.of());

  /** Whether there is at least one observer; constant. */
  public final boolean enabled;

  private final ZocketObserver[] observers;
  private final AtomicBoolean[] warned;

  private Observers(List<ZocketObserver> observers) {
    this.observers = observers.toArray(new ZocketObserver[0]);
    this.warned = new AtomicBoolean[this.observers.length];
    for (int i = 0; i < warned.length; i++) {
      warned[i] = new AtomicBoolean();
    }
    this.enabled = this.observers.length > 0;
  }

  /** The observers as one, or {@link #NONE} for an empty list. */
  public static Observers of(List<ZocketObserver> observers) {
    return observers.isEmpty() ? NONE : new Observers(observers);
  }

  private void failed(int i, String method, RuntimeException e) {
    if (warned[i].compareAndSet(false, true)) {
      log.warn(
          "Observer {} failed in {}; its next failures are logged at debug",
          observers[i],
          method,
          e);
    } else {
      log.debug("Observer {} failed in {}", observers[i], method, e);
    }
  }

  @Override
  public void onConnectionOpened(String clientId) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onConnectionOpened(clientId);
      } catch (RuntimeException e) {
        failed(i, "onConnectionOpened", e);
      }
    }
  }

  @Override
  public void onConnectionClosed(String clientId, int closeCode) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onConnectionClosed(clientId, closeCode);
      } catch (RuntimeException e) {
        failed(i, "onConnectionClosed", e);
      }
    }
  }

  @Override
  public void onHandshakeRejected(HandshakeRejection reason, int httpStatus) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onHandshakeRejected(reason, httpStatus);
      } catch (RuntimeException e) {
        failed(i, "onHandshakeRejected", e);
      }
    }
  }

  @Override
  public void onMessageReceived(String route, MessageKind kind) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onMessageReceived(route, kind);
      } catch (RuntimeException e) {
        failed(i, "onMessageReceived", e);
      }
    }
  }

  @Override
  public void onMessageHandled(
      String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String errorCode) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onMessageHandled(route, kind, queueWaitNanos, handlerNanos, errorCode);
      } catch (RuntimeException e) {
        failed(i, "onMessageHandled", e);
      }
    }
  }

  @Override
  public void onEventSent(String route, int recipients, int bytes) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onEventSent(route, recipients, bytes);
      } catch (RuntimeException e) {
        failed(i, "onEventSent", e);
      }
    }
  }

  @Override
  public void onDropped(DropReason reason) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onDropped(reason);
      } catch (RuntimeException e) {
        failed(i, "onDropped", e);
      }
    }
  }

  @Override
  public void onSlowConsumer(SlowConsumerAction action) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onSlowConsumer(action);
      } catch (RuntimeException e) {
        failed(i, "onSlowConsumer", e);
      }
    }
  }

  @Override
  public void onBackplanePublished(int bytes) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onBackplanePublished(bytes);
      } catch (RuntimeException e) {
        failed(i, "onBackplanePublished", e);
      }
    }
  }

  @Override
  public void onBackplaneReceived(int recipients, int bytes) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onBackplaneReceived(recipients, bytes);
      } catch (RuntimeException e) {
        failed(i, "onBackplaneReceived", e);
      }
    }
  }

  @Override
  public void onBackplaneOutage() {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onBackplaneOutage();
      } catch (RuntimeException e) {
        failed(i, "onBackplaneOutage", e);
      }
    }
  }

  @Override
  public void onBackplaneRecovered() {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onBackplaneRecovered();
      } catch (RuntimeException e) {
        failed(i, "onBackplaneRecovered", e);
      }
    }
  }

  @Override
  public void onBackplaneLost(String fromNodeId, long events) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onBackplaneLost(fromNodeId, events);
      } catch (RuntimeException e) {
        failed(i, "onBackplaneLost", e);
      }
    }
  }

  @Override
  public void onRecoveryEvicted(RecoveryBound bound, int events, long bytes) {
    for (int i = 0; i < observers.length; i++) {
      try {
        observers[i].onRecoveryEvicted(bound, events, bytes);
      } catch (RuntimeException e) {
        failed(i, "onRecoveryEvicted", e);
      }
    }
  }
}
