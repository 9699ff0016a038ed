package dev.zocket.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where acknowledged events go: the transport's SPI for sending one event to one client and waiting
 * for its answer (see the "Acknowledged events" section of docs/protocol.md).
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface AckDelivery {
  /**
   * Sends an acknowledged event to one client. Returns at once; the future completes with the
   * client's answer, bound to the route's reply type and validated, or fails with a {@link
   * dev.zocket.ZocketException}: {@code TIMEOUT}, {@code DISCONNECTED}, {@code UNSUPPORTED} (the
   * client did not negotiate the extension), {@code LIMIT_EXCEEDED} (a budget of pending answers is
   * spent), {@code INVALID_PAYLOAD} (the answer does not fit) or the listener's own error.
   *
   * @param route the event's route, an {@link RouteDescriptor.Kind#ASYNC_CALL}
   * @param clientId the recipient
   * @param event writes the event with the given {@code rpcId}, which the answer echoes
   * @param timeoutMillis how long to wait for the answer; -1 for the transport's default
   */
  CompletableFuture<Object> ask(
      RouteDescriptor route, String clientId, Function<String, Outgoing> event, long timeoutMillis);
}
