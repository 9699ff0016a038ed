package dev.zocket.netty;

import dev.zocket.spi.ZocketObserver;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An observer that counts the messages handled (of one route, or of every route) and the
 * connections opened and closed, for tests that check that every message read is handled or counted
 * as dropped. Called on the server's threads; the counts are safe to read from any thread.
 */
final class HandledAndClosed implements ZocketObserver {
  final AtomicInteger handled = new AtomicInteger();
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();
  private final String route;

  /** Counts the messages of {@code route} only; null counts every route. */
  HandledAndClosed(String route) {
    this.route = route;
  }

  @Override
  public void onMessageHandled(
      String route,
      ZocketObserver.MessageKind kind,
      long queueWait,
      long handlerNanos,
      String errorCode) {
    if (this.route == null || this.route.equals(route)) {
      handled.incrementAndGet();
    }
  }

  @Override
  public void onConnectionOpened(String clientId) {
    opened.incrementAndGet();
  }

  @Override
  public void onConnectionClosed(String clientId, int closeCode) {
    closed.incrementAndGet();
  }
}
