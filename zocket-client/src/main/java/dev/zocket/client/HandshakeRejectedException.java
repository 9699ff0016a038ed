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
 * reconnects after a rejection other than 503 (a full server): the server would say the same again.
 * A rejection of a reconnect (for example 401 for a token that expired) closes the client for good:
 * {@code onError} and the state listener are told with this exception, and no further attempt is
 * made. A token that expires belongs in a header {@linkplain ZocketClient.Builder#header(String,
 * java.util.function.Supplier) supplier}, which is asked for a fresh value before every connect.
 */
public final class HandshakeRejectedException extends ZocketException {
  private static final long serialVersionUID = 1L;

  /** The code for statuses without a more specific one. */
  public static final String HANDSHAKE_REJECTED = "HANDSHAKE_REJECTED";

  private final int status;
  private final String body;
  private final String serverMessage;

  HandshakeRejectedException(
      String message, int status, String body, String serverMessage, List<Violation> details) {
    super(code(status), message, details);
    this.status = status;
    this.body = body;
    this.serverMessage = serverMessage;
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

  /**
   * What the server said: the {@code error} of Zocket's JSON error body (for a 401 or 403, the
   * message of the {@code ZocketException} the server's authenticator threw, for example {@code
   * "Token expired"}), or the whole body when it is something else; empty when there was none.
   */
  public String serverMessage() {
    return serverMessage;
  }
}
