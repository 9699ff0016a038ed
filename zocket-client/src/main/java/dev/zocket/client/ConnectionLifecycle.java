package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.client.ZocketClient.CloseListener;
import dev.zocket.client.ZocketClient.State;
import dev.zocket.client.ZocketClient.StateListener;
import dev.zocket.internal.Protocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's connection over time: opens it, opens it again after a drop as the {@link
 * ReconnectPolicy} says (attempts and backoff), and holds the client's {@link State} (each change
 * reported to the state listener on the callback thread, in order), the open connection, and the
 * messages that wait for one. Connections report their handshake and their end from their I/O
 * thread; {@link #send}, {@link #close} and the getters may be called from any thread.
 */
final class ConnectionLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final URI uri;
  private final Transport transport;
  private final CallbackThread callbacks;
  private final ReconnectPolicy reconnect;
  private final boolean retryFirstConnect;
  private final Runnable onOpen;
  private final CloseListener onClose;
  private final Consumer<Throwable> onError;
  private final StateListener onStateChange;
  private final ClientHooks hooks;
  private final CompletableFuture<Void> firstOpen = new CompletableFuture<>();

  private final Object lock = new Object();
  private State state = State.NEW; // guarded by lock
  private boolean everOpen; // guarded by lock: whether a connection has opened before
  private Channel attempt; // guarded by lock: the channel of the attempt under way
  private ScheduledFuture<?> retry; // guarded by lock
  private int attempts; // guarded by lock: failed attempts since the last open connection
  private boolean finished; // guarded by lock
  private final Outbox outbox; // guarded by lock
  private volatile ClientHandler current;

  /** Whether the connection of the last {@code onOpen} resumed its session; callback thread. */
  private volatile boolean recovered;

  /**
   * @param onOpen runs on the callback thread after every handshake, or null
   * @param onClose runs on the callback thread when an open connection closes, or null
   * @param onError runs on the callback thread with failed attempts and giving up, or null
   * @param onStateChange runs on the callback thread with every change of state, or null
   * @param hooks the observers told of connections, failures and reconnects
   */
  ConnectionLifecycle(
      URI uri,
      Transport transport,
      CallbackThread callbacks,
      ReconnectPolicy reconnect,
      boolean retryFirstConnect,
      WhileDisconnected whileDisconnected,
      Runnable onOpen,
      CloseListener onClose,
      Consumer<Throwable> onError,
      StateListener onStateChange,
      ClientHooks hooks) {
    this.uri = uri;
    this.transport = transport;
    this.callbacks = callbacks;
    this.reconnect = reconnect;
    this.retryFirstConnect = retryFirstConnect;
    this.outbox = new Outbox(whileDisconnected);
    this.onOpen = onOpen;
    this.onClose = onClose;
    this.onError = onError;
    this.onStateChange = onStateChange;
    this.hooks = hooks;
  }

  /** The server's URI, as the client was built with it. */
  URI uri() {
    return uri;
  }

  /** The state now; it may change at any moment. */
  State state() {
    synchronized (lock) {
      return state;
    }
  }

  /** The open connection, or null. */
  ClientHandler current() {
    return current;
  }

  /**
   * Completes on the callback thread once the first connection is open and {@code onOpen} has
   * returned; fails with the error that ended the client before that.
   */
  CompletableFuture<Void> firstOpen() {
    return firstOpen;
  }

  /**
   * Starts the first connection of a {@link State#NEW} client; does nothing in any other state. Any
   * thread.
   */
  void connect() {
    synchronized (lock) {
      if (state != State.NEW) {
        return;
      }
      setState(State.CONNECTING, null);
    }
    start();
  }

  /** Starts a connection attempt, unless the client is closed. */
  private void start() {
    RuntimeException failed;
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      try {
        ChannelFuture f = transport.connect(this);
        Channel channel = f.channel();
        attempt = channel;
        f.addListener(
            done -> {
              if (!done.isSuccess()) {
                attemptFailed(channel, done.cause());
              }
            });
        return;
      } catch (RuntimeException e) { // a header's supplier threw
        failed = e;
      }
    }
    attemptFailed(null, failed);
  }

  /**
   * Changes the state and tells the listener, in order, on the callback thread; nothing when the
   * state stays. Under the lock.
   */
  private void setState(State to, ZocketException cause) {
    State from = state;
    if (from == to) {
      return;
    }
    state = to;
    if (onStateChange != null) {
      callbacks.run(() -> onStateChange.onStateChange(from, to, cause));
    }
  }

  /**
   * Sends a message on the open connection, or hands it to the outbox while there is none.
   *
   * @throws ZocketException with code {@code DISCONNECTED} if the client is closed, or the policy
   *     for sends while disconnected refuses it
   */
  void send(String route, byte[] frame) {
    ClientHandler handler = current;
    if (handler != null) {
      handler.send(frame);
      return;
    }
    synchronized (lock) {
      handler = current;
      if (handler != null) {
        handler.send(frame);
        return;
      }
      if (state == State.CLOSED) {
        throw new ZocketException(
            ErrorCodes.DISCONNECTED, "The client is closed; " + route + " was not sent");
      }
      outbox.add(route, frame);
    }
  }

  /** Whether the connection of the last {@code onOpen} resumed its session. */
  boolean recovered() {
    return recovered;
  }

  /** A resuming connection was answered: whether the server resumed its session. Event loop. */
  void recovery(boolean resumed) {
    hooks.recovery(resumed);
  }

  /**
   * The handshake of a connection completed (and a resuming one was answered). Event loop.
   *
   * @param resumed whether it resumed its session
   */
  void opened(ClientHandler handler, boolean resumed) {
    synchronized (lock) {
      if (attempt == handler.channel()) {
        attempt = null;
      }
      if (state == State.CLOSED) {
        handler.close();
        return;
      }
      setState(State.OPEN, null);
      attempts = 0;
      current = handler;
      hooks.connected(everOpen);
      everOpen = true;
    }
    log.debug("Connected to {}", uri);
    callbacks.run(
        () -> {
          recovered = resumed;
          try {
            if (onOpen != null) {
              onOpen.run();
            }
          } catch (RuntimeException e) {
            log.warn("onOpen threw", e);
          }
          synchronized (lock) {
            if (current == handler) { // else it closed meanwhile: the messages wait for the next
              outbox.drainTo(handler);
            }
          }
          firstOpen.complete(null);
        });
  }

  /** A connection ended, open or not. Event loop. */
  void closed(ClientHandler handler, boolean wasOpen, int code, String reason, Throwable failure) {
    if (!wasOpen) {
      attemptFailed(
          handler.channel(),
          failure != null
              ? failure
              : new ZocketException(
                  ErrorCodes.DISCONNECTED, "The connection closed during the WebSocket handshake"));
      return;
    }
    boolean again;
    synchronized (lock) {
      boolean wasCurrent = current == handler; // else close() won the race with its opening
      if (wasCurrent) {
        current = null;
        hooks.disconnected(code, reason);
      }
      // Another connection resumed this client's session: reconnecting would take it back.
      again = state != State.CLOSED && reconnect.isEnabled() && code != Protocol.TAKEN_OVER;
      setState(
          again ? State.RECONNECTING : State.CLOSED,
          new ZocketException(
              ErrorCodes.DISCONNECTED,
              "The connection to "
                  + uri
                  + " closed: "
                  + code
                  + (reason.isEmpty() ? "" : " " + reason)));
    }
    log.info("Connection to {} closed: {} {}", uri, code, reason);
    callbacks.run(
        () -> {
          if (onClose != null) {
            onClose.onClose(code, reason);
          }
        });
    if (again) {
      scheduleRetry();
    } else {
      finish();
    }
  }

  private void attemptFailed(Channel channel, Throwable cause) {
    ZocketException error = connectError(cause);
    boolean again;
    synchronized (lock) {
      if (attempt == channel) {
        attempt = null;
      }
      if (state != State.CLOSED) {
        hooks.connectFailed(error);
      }
      boolean first = !firstOpen.isDone();
      if (state == State.CLOSED) {
        again = false; // close() was called; finish() tells a waiting connect()
      } else if (first && !(retryFirstConnect && reconnect.isEnabled())) {
        setState(State.CLOSED, error);
        firstOpen.completeExceptionally(error);
        again = false;
      } else {
        again = retryable(error);
        if (!again) {
          setState(State.CLOSED, error);
          if (first) {
            firstOpen.completeExceptionally(error);
          }
        }
        log.info(
            "{} {} failed: {}",
            first ? "Connecting to" : "Reconnecting to",
            uri,
            error.getMessage());
        callbacks.run(() -> onError(error));
      }
    }
    if (again) {
      scheduleRetry();
    } else {
      finish();
    }
  }

  /** Whether a failed attempt is worth another: not a refused handshake, but a full server. */
  private static boolean retryable(ZocketException error) {
    return !(error instanceof HandshakeRejectedException rejected) || rejected.status() == 503;
  }

  private void scheduleRetry() {
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
      attempts++;
      if (attempts > reconnect.maxAttempts()) {
        ZocketException gaveUp =
            new ZocketException(
                ErrorCodes.DISCONNECTED,
                "Gave up reconnecting to "
                    + uri
                    + " after "
                    + reconnect.maxAttempts()
                    + " attempts");
        setState(State.CLOSED, gaveUp);
        log.warn(gaveUp.getMessage());
        firstOpen.completeExceptionally(gaveUp); // a connect() still waiting
        callbacks.run(() -> onError(gaveUp));
      } else {
        Duration delay = reconnect.delay(attempts, ThreadLocalRandom.current().nextDouble());
        log.info("Reconnecting to {} in {} ms (attempt {})", uri, delay.toMillis(), attempts);
        hooks.reconnectScheduled(attempts, delay);
        retry = transport.schedule(this::start, delay);
        return;
      }
    }
    finish();
  }

  /**
   * Closes for good: stops reconnecting, discards waiting messages, and closes the connection or
   * the attempt under way; the client finishes once it has ended. Any thread; idempotent.
   */
  void close() {
    ClientHandler open;
    Channel opening;
    synchronized (lock) {
      if (state != State.CLOSED) {
        setState(State.CLOSED, null);
        if (retry != null) {
          retry.cancel(false);
        }
        outbox.clear();
      }
      open = current;
      opening = attempt;
    }
    if (open != null) {
      open.close();
    } else if (opening != null) {
      opening.close();
    } else {
      finish();
    }
  }

  /** Ends the client once: fails the first connect if open, then releases the threads. */
  private void finish() {
    synchronized (lock) {
      if (finished) {
        return;
      }
      finished = true;
      setState(State.CLOSED, null);
      outbox.clear();
    }
    firstOpen.completeExceptionally(
        new ZocketException(ErrorCodes.DISCONNECTED, "The client was closed before it connected"));
    callbacks.shutdown();
    transport.shutdown();
  }

  private void onError(Throwable error) {
    if (onError != null) {
      onError.accept(error);
    }
  }

  private ZocketException connectError(Throwable cause) {
    if (cause instanceof ZocketException z) {
      return z;
    }
    return new ZocketException(
        ErrorCodes.DISCONNECTED,
        "Could not connect to " + uri + ": " + cause.getMessage(),
        List.of(),
        cause);
  }
}
