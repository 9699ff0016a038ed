package dev.zocket.client;

/**
 * Runs around every outgoing call and message of a {@link ZocketClient}, and every incoming event
 * before its listeners: code before and after, seeing the result or the exception, for example to
 * time a call, to log, to open a tracing scope, or to refuse something with an error. The client's
 * counterpart of the server's {@link dev.zocket.AroundInterceptor}. Interceptors nest in the order
 * they were added ({@link ZocketClient.Builder#around}; the first is outermost).
 *
 * <pre>{@code
 * builder.around(invocation -> {
 *   if (invocation.kind() != ClientInterceptor.Kind.CALL) {
 *     return invocation.proceed();
 *   }
 *   long start = System.nanoTime();
 *   CompletableFuture<?> reply = (CompletableFuture<?>) invocation.proceed();
 *   return reply.whenComplete((v, e) ->
 *       log.info("{} took {} ns", invocation.route(), System.nanoTime() - start));
 * });
 * }</pre>
 *
 * <p><b>What {@link Invocation#proceed} returns.</b> For a {@link Kind#CALL}, the {@code
 * CompletableFuture} of the reply: the interceptor returns it, or a stage derived from it ({@code
 * whenComplete}, {@code thenApply} with a value of the route's reply type), or a failed one. The
 * future the application holds completes as the stage returned does; cancelling it cancels the call
 * (see {@link ZocketClient#proxy}). For a {@link Kind#MESSAGE} or an {@link Kind#EVENT}, {@code
 * proceed} returns null and what the interceptor returns is ignored, except for an acknowledged
 * event (an event method returning {@code CompletableFuture<T>}): there {@code proceed} returns the
 * listener's stage, and the stage the interceptor returns is the answer sent to the server.
 *
 * <p><b>Short-circuits.</b> An interceptor that does not call {@code proceed} stops the chain: a
 * message is not sent, an event does not reach its listeners. To refuse with an error it throws a
 * {@link dev.zocket.ZocketException} (or, for a call, returns a failed stage): a call's future then
 * fails with it (the blocking form throws it); a message's proxy method throws it; an event is
 * dropped and the exception goes to {@code onError}.
 *
 * <p><b>Headers and metadata.</b> The v1 envelope ({@code type}, {@code payload}, {@code rpcId})
 * has no place for per-call headers, so an interceptor cannot add any; what it can see is the route
 * and the payload. Per-connection headers are set on the builder ({@link
 * ZocketClient.Builder#header(String, java.util.function.Supplier)}, asked before every connect).
 *
 * <p><b>Threading.</b> For calls and messages, on the thread that called the proxy method (any
 * application thread, or the callback thread inside a listener or {@code onOpen}); a call's reply
 * stage completes on the client's I/O thread, where what is attached to it must not block. For
 * events, on the client's callback thread, one event at a time in arrival order, before the
 * listeners; it may block there as listeners may. An interceptor must be thread-safe: calls may run
 * through it from several threads at once.
 */
@FunctionalInterface
public interface ClientInterceptor {
  /**
   * Handles one call, message or event, usually by calling {@link Invocation#proceed} once.
   *
   * @param invocation what passes, and the rest of the chain
   * @return for a call, the reply's stage: what {@code proceed} returned, or a stage derived from
   *     it; ignored otherwise
   * @throws dev.zocket.ZocketException to refuse it with an error
   */
  Object intercept(Invocation invocation);

  /** What passes through an interceptor. */
  enum Kind {
    /** An outgoing call: it carries an {@code rpcId} and waits for a reply. */
    CALL,
    /** An outgoing message without reply (a {@code void} contract method). */
    MESSAGE,
    /** An incoming event, decoded and validated, on its way to its listeners. */
    EVENT
  }

  /** One call, message or event on its way, as a {@link ClientInterceptor} sees it. */
  interface Invocation {
    /**
     * Whether it is a call, a message or an event.
     *
     * @return the kind
     */
    Kind kind();

    /**
     * The route, for example {@code "rooms.members"} or {@code "rooms.onMessage"}.
     *
     * @return the route name
     */
    String route();

    /**
     * The payload: for a call or message, the argument of the proxy method (validated already, if
     * validation is on); for an event, the decoded and validated payload; null for a route without
     * one.
     *
     * @return the payload
     */
    Object payload();

    /**
     * The client it passes through.
     *
     * @return the client
     */
    ZocketClient client();

    /**
     * Runs the next interceptor, or, after the last one, sends the call or message or delivers the
     * event to its listeners; on the calling thread.
     *
     * @return for a call, the {@code CompletableFuture} of its reply (failed with {@code
     *     DISCONNECTED} when not connected); null otherwise
     * @throws dev.zocket.ZocketException when a message cannot be sent (see {@link
     *     WhileDisconnected}), or what a later interceptor threw
     */
    Object proceed();
  }
}
