package dev.zocket;

/**
 * Runs around every handler of a server: code before and after it, seeing its result or its
 * exception, for example to time it, to open a tracing scope, or to translate exceptions. Around
 * interceptors nest in the order they were added (the first is outermost); they run after every
 * {@link Interceptor}, once the payload was bound and validated.
 *
 * <pre>{@code
 * builder.around(invocation -> {
 *   long start = System.nanoTime();
 *   try {
 *     return invocation.proceed();
 *   } finally {
 *     log.info("{} took {} ns", invocation.route(), System.nanoTime() - start);
 *   }
 * });
 * }</pre>
 *
 * <p>An asynchronous handler's {@code CompletionStage} is what {@link Invocation#proceed} returns:
 * an interceptor that wants its outcome attaches to it ({@code whenComplete}) and returns that
 * stage, or a stage derived from it.
 *
 * <p>Threading: called on the thread that runs the handler, one message of a connection at a time,
 * with the SLF4J MDC keys of {@link Context} set. What it returns is the handler's result: a call
 * is answered with it. A {@link ZocketException} it throws (or lets through) answers a call with
 * its code; any other exception is logged and answered as {@link ErrorCodes#INTERNAL}.
 */
@FunctionalInterface
public interface AroundInterceptor {
  /**
   * Handles one message, usually by calling {@link Invocation#proceed} once.
   *
   * @param invocation the message, and the rest of the chain
   * @return the result to answer a call with (ignored for a message without answer): what {@code
   *     proceed} returned, or a replacement of the route's reply type (or a {@code CompletionStage}
   *     of it, for an asynchronous route)
   * @throws ZocketException to answer with an error
   */
  Object intercept(Invocation invocation);

  /** One message on its way to its handler, as an {@link AroundInterceptor} sees it. */
  interface Invocation {
    /**
     * The sender's connection.
     *
     * @return the caller's connection context
     */
    Context<?> context();

    /**
     * The message's route, for example {@code "rooms.join"}.
     *
     * @return the route name
     */
    String route();

    /**
     * The bound and validated payload, or null for a route without one.
     *
     * @return the payload
     */
    Object payload();

    /**
     * Whether the message is a call, answered with the result, rather than a message.
     *
     * @return whether it is a call
     */
    boolean isCall();

    /**
     * Runs the next around interceptor, or the handler after the last one, on the calling thread.
     *
     * @return what the handler returned: null for a void route, the stage of an asynchronous one
     * @throws RuntimeException what the handler threw (a checked exception thrown regardless of the
     *     contract's declaration arrives wrapped in a {@link
     *     java.util.concurrent.CompletionException})
     */
    Object proceed();
  }
}
