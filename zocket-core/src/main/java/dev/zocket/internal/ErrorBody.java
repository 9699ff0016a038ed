package dev.zocket.internal;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The {@code error} object of a failed call's reply.
 *
 * @param code the error code, or null when the peer sent none
 * @param message the message, or null when the peer sent none
 * @param details the problems with their JSON paths
 */
public record ErrorBody(String code, String message, List<Violation> details) {
  /**
   * Reads an error object leniently: a peer's odd error (a missing message, a detail without a
   * path) still fails the call with what it does say, rather than dropping the reply.
   */
  static ErrorBody from(JsonNode node) {
    List<Violation> details = new ArrayList<>();
    for (JsonNode d : node.path(Protocol.DETAILS)) {
      if (d.isObject()) {
        details.add(
            new Violation(
                d.path(Protocol.PATH).asString(""), d.path(Protocol.MESSAGE).asString("")));
      }
    }
    JsonNode code = node.path(Protocol.CODE);
    JsonNode message = node.path(Protocol.MESSAGE);
    return new ErrorBody(
        code.isValueNode() && !code.isNull() ? code.asString() : null,
        message.isValueNode() && !message.isNull() ? message.asString() : null,
        details);
  }

  /** Turns the body into the exception the caller sees. */
  public ZocketException toException() {
    String c = code == null || code.isEmpty() ? "INTERNAL" : code;
    List<Violation> d = new ArrayList<>();
    if (details != null) {
      for (Violation v : details) {
        if (v != null) {
          d.add(v);
        }
      }
    }
    String m = message == null ? "" : message;
    // The same exception a local validation throws, whichever side found the problem.
    return c.equals(ErrorCodes.INVALID_PAYLOAD)
        ? new InvalidPayloadException(m, d)
        : new ZocketException(c, m, d);
  }
}
