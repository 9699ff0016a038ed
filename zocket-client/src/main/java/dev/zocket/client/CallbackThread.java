package dev.zocket.client;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs a client's user callbacks (listeners, {@code onOpen}, {@code onClose},
 * {@code onError}), one at a time, in the order they were handed over. Thread-safe.
 */
final class CallbackThread {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final URI uri;
  private final ExecutorService executor;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile Thread thread;

  /**
   * @param uri the client's server, for the logs
   */
  CallbackThread(URI uri) {
    this.uri = uri;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "zocket-client-callbacks");
              t.setDaemon(true);
              thread = t;
              return t;
            });
  }

  /** Runs a callback after those handed over before it; one that throws is logged. Any thread. */
  void run(Runnable callback) {
    try {
      executor.execute(
          () -> {
            try {
              callback.run();
            } catch (RuntimeException e) {
              log.warn("A callback of the client for {} threw", uri, e);
            }
          });
    } catch (RejectedExecutionException closed) {
      log.debug("Dropped a callback: the client is closed");
    }
  }

  /** Whether the caller is the callback thread. */
  boolean isCurrent() {
    return Thread.currentThread() == thread;
  }

  /** Ends the thread once the callbacks handed over so far have run. Idempotent. */
  void shutdown() {
    try {
      executor.execute(() -> terminated.complete(null));
    } catch (RejectedExecutionException alreadyShutDown) {
      return;
    }
    executor.shutdown();
  }

  /** Completes once the last callback ran, after {@link #shutdown}. */
  CompletableFuture<Void> terminated() {
    return terminated;
  }
}
