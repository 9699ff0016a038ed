package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.ZocketException;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteDescriptor;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's answers to acknowledged events (extension, see the "Acknowledged events" section of
 * docs/protocol.md): an event that carries an {@code rpcId} is answered once, on the connection it
 * arrived on, with {@code {"type":"__ack","rpcId":..,"payload":..}} when its listener's stage
 * completes, or with {@code error} instead when there is no listener ({@code NOT_FOUND}), the
 * payload was refused ({@code INVALID_PAYLOAD}), the listener threw or its stage failed (a {@link
 * ZocketException} as it is, anything else as {@code INTERNAL}), or the answer breaks its
 * constraints ({@code INVALID_PAYLOAD}, when the client validates payloads).
 *
 * <p>Thread-safe: answers go out from the thread that completes the listener's stage.
 */
final class AckAnswers {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final EnvelopeWriter writer;
  private final PayloadValidator validator;
  private final boolean validate;

  AckAnswers(EnvelopeWriter writer, PayloadValidator validator, boolean validate) {
    this.writer = writer;
    this.validator = validator;
    this.validate = validate;
  }

  /**
   * Answers with what a listener returned, once it completes.
   *
   * @param route the event's route as the listener's contract declares it
   * @param result what the listener (through the interceptors) returned
   */
  void answer(PendingCalls connection, RouteDescriptor route, String rpcId, Object result) {
    if (!route.isCall()) {
      // The listener's contract declares a plain event: it ran, and there is nothing to answer.
      connection.send(writer.encodeRequest(Protocol.ACK_TYPE, null, false, rpcId));
      return;
    }
    if (!(result instanceof CompletionStage<?> stage)) {
      log.warn("The listener of acknowledged event {} returned null", route.route());
      fail(
          connection,
          rpcId,
          new ZocketException(ErrorCodes.INTERNAL, "The listener returned no answer"));
      return;
    }
    stage.whenComplete(
        (value, error) -> {
          if (error != null) {
            failed(connection, route, rpcId, error);
            return;
          }
          if (validate && value != null) {
            try {
              validator.validate("the answer to " + route.route(), value);
            } catch (InvalidPayloadException refused) {
              log.warn("The answer to {} was refused: {}", route.route(), refused.toString());
              fail(connection, rpcId, refused);
              return;
            }
          }
          byte[] frame;
          try {
            frame = writer.encodeRequest(Protocol.ACK_TYPE, value, route.hasReplyPayload(), rpcId);
          } catch (RuntimeException e) {
            failed(connection, route, rpcId, e);
            return;
          }
          connection.send(frame);
        });
  }

  /** Answers with the error a listener threw or its stage failed with. */
  void failed(PendingCalls connection, RouteDescriptor route, String rpcId, Throwable error) {
    Throwable t =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (t instanceof ZocketException z) {
      log.debug("The listener of {} answered with an error: {}", route.route(), z.toString());
      fail(connection, rpcId, z);
    } else {
      log.warn("The listener of acknowledged event {} failed", route.route(), t);
      fail(connection, rpcId, new ZocketException(ErrorCodes.INTERNAL, "Internal error"));
    }
  }

  /** Answers with an error. */
  void fail(PendingCalls connection, String rpcId, ZocketException error) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    writer.writeError(out, Protocol.ACK_TYPE, rpcId, error);
    connection.send(out.toByteArray());
  }
}
