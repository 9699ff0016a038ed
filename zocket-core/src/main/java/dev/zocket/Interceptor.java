package dev.zocket;

/**
 * Runs before every handler of a server, after the payload was bound and validated. Interceptors
 * run in the order they were added; the first that throws stops the message.
 *
 * <pre>{@code
 * builder.intercept((ctx, route, payload) -> {
 *   if (route.startsWith("admin.") && !ctx.user().isAdmin()) {
 *     throw new ZocketException(ErrorCodes.FORBIDDEN, "Admins only");
 *   }
 * });
 * }</pre>
 *
 * <p>Threading: called on the thread that will run the handler, one message of a connection at a
 * time. A {@link ZocketException} rejects the message (a call is answered with its code); any other
 * exception is logged and answered as {@link ErrorCodes#INTERNAL}.
 */
@FunctionalInterface
public interface Interceptor {
  /**
   * Inspects one incoming message.
   *
   * @param context the sender's connection; attributes stored here are visible to the handler
   * @param route the message's route, for example {@code "rooms.join"}
   * @param payload the bound and validated payload, or null for a route without one
   * @throws ZocketException to reject the message
   */
  void intercept(Context<?> context, String route, Object payload);
}
