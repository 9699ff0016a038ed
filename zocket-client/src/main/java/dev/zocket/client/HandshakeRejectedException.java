package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.util.List;

/**
 * The server answered the WebSocket upgrade with an HTTP status other than 101, for example 400
 * because the connection's headers failed validation. The message quotes the status and the
 * response body; {@link #details()} holds the body's {@code details} when it is Zocket's JSON error
 * body.
 *
 * <p>Codes: {@link ErrorCodes#INVALID_PAYLOAD} for 400, {@link ErrorCodes#UNAUTHORIZED} for 401,
 * {@link ErrorCodes#FORBIDDEN} for 403, {@code HANDSHAKE_REJECTED} otherwise. A client never
 * reconnects after a rejection: the server would say the same again.
 */
public final class HandshakeRejectedException extends ZocketException {
  private static final long serialVersionUID = 1L;

  /** The code for statuses without a more specific one. */
  public static final String HANDSHAKE_REJECTED = "HANDSHAKE_REJECTED";

  private final int status;
  private final String body;

  HandshakeRejectedException(String message, int status, String body, List<Violation> details) {
    super(code(status), message, details);
    this.status = status;
    this.body = body;
  }

  private static String code(int status) {
    return switch (status) {
      case 400 -> ErrorCodes.INVALID_PAYLOAD;
      case 401 -> ErrorCodes.UNAUTHORIZED;
      case 403 -> ErrorCodes.FORBIDDEN;
      default -> HANDSHAKE_REJECTED;
    };
  }

  /** The HTTP status, for example 400. */
  public int status() {
    return status;
  }

  /** The response body as text; empty when there was none. */
  public String body() {
    return body;
  }
}
