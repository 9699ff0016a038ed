package dev.zocket;

import java.util.List;

/**
 * A payload, or the handshake headers, failed validation or could not be bound to their type. Its
 * code is {@link ErrorCodes#INVALID_PAYLOAD} and {@link #details()} lists every failed constraint.
 *
 * <p>A client raises it at the call site, before anything is sent, when local validation is on; a
 * server answers a call with it and never runs the handler.
 */
public final class InvalidPayloadException extends ZocketException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message a summary, for example {@code "Invalid payload for rooms.join"}
   * @param details the failed constraints, in path order
   */
  public InvalidPayloadException(String message, List<Violation> details) {
    super(ErrorCodes.INVALID_PAYLOAD, message, details);
  }
}
