package dev.zocket;

/**
 * The error codes of the protocol's error replies (docs/protocol.md). Applications may use any
 * other string as a code of their own.
 */
public final class ErrorCodes {
  /** The payload failed validation or could not be bound; details list {@code {path, message}}. */
  public static final String INVALID_PAYLOAD = "INVALID_PAYLOAD";

  /** No route of that name exists. */
  public static final String NOT_FOUND = "NOT_FOUND";

  /** The caller is not authenticated. */
  public static final String UNAUTHORIZED = "UNAUTHORIZED";

  /** The caller may not do this. */
  public static final String FORBIDDEN = "FORBIDDEN";

  /** No reply arrived in time (raised by clients). */
  public static final String TIMEOUT = "TIMEOUT";

  /**
   * The client sent more messages per second, or started more calls at once, than the server
   * allows; the call was not handled and may be retried later.
   */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  /** A per-connection limit of the server was reached, for example the number of rooms joined. */
  public static final String LIMIT_EXCEEDED = "LIMIT_EXCEEDED";

  /** The handler failed; the message is generic and never carries a stack trace. */
  public static final String INTERNAL = "INTERNAL";

  /** The connection closed before the reply arrived (raised by clients, never sent). */
  public static final String DISCONNECTED = "DISCONNECTED";

  /**
   * The peer does not support what was asked of it, for example an acknowledged event to a client
   * that did not negotiate the extension (raised locally, never sent).
   */
  public static final String UNSUPPORTED = "UNSUPPORTED";

  /** A contract interface breaks a declaration rule (raised locally, never sent). */
  public static final String INVALID_CONTRACT = "INVALID_CONTRACT";

  private ErrorCodes() {}
}
