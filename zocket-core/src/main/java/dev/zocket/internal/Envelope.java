package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import tools.jackson.databind.util.TokenBuffer;

/**
 * One decoded protocol envelope, as {@link EnvelopeReader#decode} read it. Fields are set by the
 * reader only.
 */
public final class Envelope {
  String type;
  EnvelopeReader.Typed found;
  String rpcId;
  String position;
  boolean hasPayload;
  Object payload;
  TokenBuffer buffered;
  InvalidPayloadException bindError;
  ErrorBody error;

  Envelope() {}

  /** The route, or {@link Protocol#REPLY_TYPE} for replies. */
  public String type() {
    return type;
  }

  /**
   * What the type names, as {@link EnvelopeReader.PayloadTypes#find} returned it; null when
   * nothing.
   */
  public EnvelopeReader.Typed found() {
    return found;
  }

  /** The call id, or null. */
  public String rpcId() {
    return rpcId;
  }

  /** The event's position (extension, from a server with recovery), or null. */
  public String position() {
    return position;
  }

  /** Whether the envelope had a {@code payload} key. */
  public boolean hasPayload() {
    return hasPayload;
  }

  /**
   * The bound payload, when the type was known while reading; null for a JSON null payload (a
   * {@code null} is never turned into a default value such as 0).
   */
  public Object payload() {
    return payload;
  }

  /**
   * The payload's tokens, when its type was not known while reading (no type for the route, or
   * {@code payload} before {@code type}); else null. Bind with {@link EnvelopeReader#bindBuffered}.
   */
  public TokenBuffer buffered() {
    return buffered;
  }

  /** Why the payload could not be bound to the route's type, or null. */
  public InvalidPayloadException bindError() {
    return bindError;
  }

  /** The error of a failed call's reply, or null. */
  public ErrorBody error() {
    return error;
  }
}
