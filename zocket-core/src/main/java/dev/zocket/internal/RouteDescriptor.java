package dev.zocket.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import tools.jackson.databind.JavaType;

/**
 * One route of a contract, read once from its method.
 *
 * @param route the full route, for example {@code rooms.join}
 * @param method the contract method
 * @param payloadType the parameter's generic type, or null when the method takes none
 * @param payloadJavaType {@code payloadType} resolved for Jackson, or null
 * @param replyType the reply's generic type (unwrapped from {@code CompletionStage}), or null for a
 *     void method; {@code Void.class} for {@code CompletionStage<Void>}; for a stream, the type of
 *     its items (unwrapped from {@code Flow.Publisher})
 * @param replyJavaType {@code replyType} resolved for Jackson, or null
 * @param kind how the method is invoked
 * @param validated whether the payload carries Bean Validation constraints to check
 * @param nonBlocking whether the server may run the handler on the I/O thread
 * @param timeoutMillis the per-method call timeout, or -1 for the client default
 */
public record RouteDescriptor(
    String route,
    Method method,
    Type payloadType,
    JavaType payloadJavaType,
    Type replyType,
    JavaType replyJavaType,
    Kind kind,
    boolean validated,
    boolean nonBlocking,
    long timeoutMillis) {

  /** How a contract method maps to the protocol. */
  public enum Kind {
    /** A void method: a fire-and-forget message or an event. */
    SEND,
    /** A method returning {@code T}: a call whose caller blocks for the reply. */
    CALL,
    /** A method returning {@code CompletionStage<T>} or {@code CompletableFuture<T>}. */
    ASYNC_CALL,
    /**
     * A method returning {@code java.util.concurrent.Flow.Publisher<T>}: a stream of items of type
     * {@code T} under the client's credits (extension, see docs/protocol.md).
     */
    STREAM
  }

  /** Whether the method takes a payload. */
  public boolean hasPayload() {
    return payloadType != null;
  }

  /** Whether a reply to this route carries a payload (false for void and {@code Void}). */
  public boolean hasReplyPayload() {
    return replyType != null && replyType != Void.class;
  }

  /** Whether this route is a stream ({@link Kind#STREAM}). */
  public boolean isStream() {
    return kind == Kind.STREAM;
  }

  /** Whether this route is a call (expects a reply; a stream's start is answered too). */
  public boolean isCall() {
    return kind != Kind.SEND;
  }

  /** {@code Interface.method}, as used in messages. */
  public String methodName() {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName();
  }
}
