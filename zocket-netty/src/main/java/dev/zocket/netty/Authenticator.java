package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Accepts or rejects a WebSocket handshake before the headers are bound and before the upgrade.
 *
 * <pre>{@code
 * builder.authenticate(request -> {
 *   if (!tokens.isValid(request.headers().get("authorization"))) {
 *     throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Missing or bad token");
 *   }
 * });
 * }</pre>
 *
 * <p>A {@link ZocketException} with code {@link ErrorCodes#UNAUTHORIZED} is answered with HTTP 401,
 * any other {@code ZocketException} with 403; the body is {@code {"error":"<message>"}} and no
 * upgrade happens. Any other exception is logged and answered with 500.
 *
 * <p>Threading: called on the connection's I/O thread, so it must not block.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Checks one handshake request.
   *
   * @param request the upgrade request: its URI (with the query string) and HTTP headers
   * @throws ZocketException to reject the handshake
   */
  void authenticate(HttpRequest request);
}
