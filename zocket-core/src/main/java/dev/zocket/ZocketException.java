package dev.zocket;

import java.util.List;
import java.util.Objects;

/**
 * The root of every exception Zocket raises, and the way a handler answers a call with an error.
 *
 * <p>On the server, a handler (or an {@link Interceptor}) that throws a {@code ZocketException}
 * answers the call with an error reply carrying {@link #code()}, {@link #getMessage()} and {@link
 * #details()}; the connection stays open. Any other exception becomes an {@link
 * ErrorCodes#INTERNAL} error with a generic message, and its stack trace goes only to the server
 * log. On the client, an error reply fails the call's future with a {@code ZocketException}
 * carrying the server's code, message and details.
 *
 * <pre>{@code
 * if (!ctx.rooms().has(id.roomId())) {
 *   throw new ZocketException("NOT_A_MEMBER", "You are not in room " + id.roomId());
 * }
 * }</pre>
 */
public class ZocketException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The error code sent to the peer. */
  private final String code;

  /** The itemised problems sent to the peer. */
  private final List<Violation> details;

  /**
   * An error with a code and a message and no details.
   *
   * @param code a code of {@link ErrorCodes} or of the application
   * @param message a message safe to show to the remote peer
   */
  public ZocketException(String code, String message) {
    this(code, message, List.of(), null);
  }

  /**
   * An error with details.
   *
   * @param code a code of {@link ErrorCodes} or of the application
   * @param message a message safe to show to the remote peer
   * @param details the violations or other itemised problems; may be empty
   */
  public ZocketException(String code, String message, List<Violation> details) {
    this(code, message, details, null);
  }

  /**
   * An error with details and a local cause (the cause is never sent).
   *
   * @param code a code of {@link ErrorCodes} or of the application
   * @param message a message safe to show to the remote peer
   * @param details the violations or other itemised problems; may be empty
   * @param cause the local cause, or null
   */
  public ZocketException(String code, String message, List<Violation> details, Throwable cause) {
    super(Objects.requireNonNull(message, "message == null"), cause);
    this.code = Objects.requireNonNull(code, "code == null");
    if (code.isEmpty()) {
      throw new IllegalArgumentException("code is empty");
    }
    this.details = List.copyOf(Objects.requireNonNull(details, "details == null"));
  }

  /**
   * The error code.
   *
   * @return one of {@link ErrorCodes} or an application code; never empty
   */
  public String code() {
    return code;
  }

  /**
   * The itemised problems, for example the failed constraints.
   *
   * @return an immutable list; never null, possibly empty
   */
  public List<Violation> details() {
    return details;
  }

  @Override
  public String toString() {
    String s = getClass().getName() + ": [" + code + "] " + getMessage();
    return details.isEmpty() ? s : s + " " + details;
  }
}
