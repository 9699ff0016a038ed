package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.AckDelivery;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The server's acknowledged events ({@link AckDelivery}): finds the recipient among this node's
 * connections, checks that it negotiated the extension, and hands the event to its {@link
 * PendingAcks}; keeps the server-wide count of events waiting for answers against its budget; reads
 * answers (bound and validated as the Java client reads a call's reply) and completes the futures
 * on the handler executor.
 *
 * <p>Only clients of this node are reached: with a backplane, an acknowledged event to a client of
 * another node fails with {@code UNSUPPORTED}.
 *
 * <p>Thread-safe; never blocks.
 */
final class AckedEvents implements AckDelivery {
  /**
   * The budget of one server.
   *
   * @param defaultTimeoutMillis how long an event waits for its answer unless told otherwise
   * @param maxPerConnection the most events one connection may have waiting for answers
   * @param maxPerServer the most events the server may have waiting for answers
   */
  record Limits(long defaultTimeoutMillis, int maxPerConnection, int maxPerServer) {}

  private final Directory directory;
  private final MessageReader reader;
  private final Executor executor;
  private final Limits limits;

  /** Empty, or this node's id and a dot: the start of the ids of this node's clients. */
  private final String nodePrefix;

  private final AtomicInteger waiting = new AtomicInteger();

  AckedEvents(
      Directory directory,
      JsonCodec codec,
      PayloadValidator validator,
      Executor executor,
      Limits limits,
      String nodePrefix) {
    this.directory = directory;
    this.reader = new MessageReader(codec, validator, true);
    this.executor = executor;
    this.limits = limits;
    this.nodePrefix = nodePrefix;
  }

  @Override
  public CompletableFuture<Object> ask(
      RouteDescriptor route,
      String clientId,
      Function<String, Outgoing> event,
      long timeoutMillis) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    ServerConnection c = directory.connection(clientId);
    if (c == null || c.isClosed()) {
      int dot = clientId.indexOf('.');
      if (!nodePrefix.isEmpty() && dot > 0 && !clientId.startsWith(nodePrefix)) {
        return CompletableFuture.failedFuture(
            new ZocketException(
                ErrorCodes.UNSUPPORTED,
                "Client "
                    + clientId
                    + " is connected to node "
                    + clientId.substring(0, dot)
                    + ": acknowledged events reach the clients of this node only ("
                    + route.route()
                    + ")"));
      }
      return CompletableFuture.failedFuture(disconnected(route, clientId));
    }
    PendingAcks acks = PendingAcks.of(c.channel());
    if (acks == null) {
      return CompletableFuture.failedFuture(
          new ZocketException(
              ErrorCodes.UNSUPPORTED,
              "Client "
                  + clientId
                  + " does not answer acknowledged events (it did not connect with "
                  + Protocol.ACKS_HEADER
                  + "=1, as a TypeScript Zocket version 1 client does not); "
                  + route.route()
                  + " was not sent"));
    }
    acks.ask(
        this,
        c,
        route,
        future,
        event,
        timeoutMillis > 0 ? timeoutMillis : limits.defaultTimeoutMillis());
    return future;
  }

  /** Takes a place in the server-wide budget; false when it is spent. */
  boolean reserve() {
    if (waiting.incrementAndGet() > limits.maxPerServer()) {
      waiting.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives a place back, once per successful {@link #reserve}. */
  void released() {
    waiting.decrementAndGet();
  }

  int maxPerConnection() {
    return limits.maxPerConnection();
  }

  int maxPerServer() {
    return limits.maxPerServer();
  }

  /** Reads a frame that may be an answer; null when it is not an envelope. I/O thread. */
  MessageReader.Message<MessageReader.Routed> read(byte[] data, int offset, int length) {
    return reader.read(data, offset, length, type -> null);
  }

  /** Binds and validates answers. */
  MessageReader reader() {
    return reader;
  }

  ZocketException disconnected(RouteDescriptor route, String clientId) {
    return new ZocketException(
        ErrorCodes.DISCONNECTED,
        "Client " + clientId + " is not connected; " + route.route() + " was not sent");
  }

  /** Completes a future with an answer on the handler executor. */
  void succeed(CompletableFuture<Object> future, Object value) {
    settle(() -> future.complete(value));
  }

  /** Fails a future on the handler executor. */
  void fail(CompletableFuture<Object> future, ZocketException error) {
    settle(() -> future.completeExceptionally(error));
  }

  /**
   * Runs a completion on the handler executor, so what the application chained to the future never
   * runs on an I/O thread; inline if the executor refuses (the server is stopping).
   */
  private void settle(Runnable completion) {
    try {
      executor.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run();
    }
  }
}
