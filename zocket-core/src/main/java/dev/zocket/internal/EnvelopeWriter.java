package dev.zocket.internal;

import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectWriter;

/**
 * Writes protocol envelopes (requests, events, replies, error replies) and the JSON body of a
 * rejected handshake, with the payloads written by the mapper.
 *
 * <p>Thread-safe; one instance serves a whole server or client.
 */
public final class EnvelopeWriter {
  private final ObjectMapper mapper;

  /** Makes the generators kept open across envelopes: nothing between root-level values. */
  private final ObjectWriter sinkWriter;

  private final ThreadLocal<Sink> sinks = ThreadLocal.withInitial(Sink::new);

  /**
   * @param mapper writes payloads; configured by {@link JsonMappers#configure}
   */
  EnvelopeWriter(ObjectMapper mapper) {
    this.mapper = mapper;
    this.sinkWriter = mapper.writer().withRootValueSeparator((String) null);
  }

  /**
   * Writes {@code {"type":..,"payload":..}} ({@code payload} absent when {@code hasPayload} is
   * false).
   */
  public byte[] encodeEvent(String type, Object payload, boolean hasPayload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    writeEnvelope(out, type, payload, hasPayload, null);
    return out.toByteArray();
  }

  /** Writes a client request: {@code {"type":..,"payload":..,"rpcId":..}}. */
  public byte[] encodeRequest(String type, Object payload, boolean hasPayload, String rpcId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    writeEnvelope(out, type, payload, hasPayload, rpcId);
    return out.toByteArray();
  }

  /**
   * Writes an envelope in the protocol's field order: {@code type}, {@code payload}, {@code rpcId}.
   */
  public void writeEnvelope(
      OutputStream out, String type, Object payload, boolean hasPayload, String rpcId) {
    Sink sink = sinks.get();
    if (sink.target != null) { // a serializer is writing an envelope of its own: not the hot path
      try (JsonGenerator g = mapper.createGenerator(out, JsonEncoding.UTF8)) {
        writeEnvelope(g, type, payload, hasPayload, rpcId);
      }
      return;
    }
    sink.target = out;
    try {
      JsonGenerator g = sink.generator();
      writeEnvelope(g, type, payload, hasPayload, rpcId);
      g.flush();
    } catch (RuntimeException | Error e) {
      sink.discard();
      throw e;
    } finally {
      sink.target = null;
    }
  }

  private void writeEnvelope(
      JsonGenerator g, String type, Object payload, boolean hasPayload, String rpcId) {
    g.writeStartObject();
    g.writeStringProperty(Protocol.TYPE, type);
    if (hasPayload) {
      g.writeName(Protocol.PAYLOAD);
      mapper.writeValue(g, payload);
    }
    if (rpcId != null) {
      g.writeStringProperty(Protocol.RPC_ID, rpcId);
    }
    g.writeEndObject();
  }

  /**
   * One thread's generator, kept open across envelopes: each envelope is a root-level value written
   * to whatever stream is the target at the time, with nothing between values, and flushed at its
   * end. Creating a generator per envelope (its context and recycled buffers) cost about as much as
   * writing a small envelope. A generator that failed half-way is dropped.
   */
  private final class Sink extends OutputStream {
    OutputStream target;
    private JsonGenerator generator;

    JsonGenerator generator() {
      JsonGenerator g = generator;
      if (g == null) {
        g = sinkWriter.createGenerator(this, JsonEncoding.UTF8);
        generator = g;
      }
      return g;
    }

    void discard() {
      generator = null;
    }

    @Override
    public void write(int b) throws IOException {
      target.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
    }
  }

  /**
   * Writes an error reply: {@code {"type":"__rpc_res","rpcId":..,"error":{"code":..,"message":..,
   * "details":[..]}}}; {@code details} is absent when empty.
   */
  public void writeError(OutputStream out, String rpcId, ZocketException error) {
    writeError(out, Protocol.REPLY_TYPE, rpcId, error);
  }

  /**
   * Writes an envelope of a type with an error instead of a payload: {@code {"type":..,"rpcId":..,
   * "error":{..}}}, as {@link #writeError(OutputStream, String, ZocketException)} does for replies:
   * the end of a failed stream, or a client's failed answer to an acknowledged event ({@link
   * Protocol#ACK_TYPE}).
   */
  public void writeError(OutputStream out, String type, String rpcId, ZocketException error) {
    try (JsonGenerator g = mapper.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringProperty(Protocol.TYPE, type);
      g.writeStringProperty(Protocol.RPC_ID, rpcId);
      g.writeObjectPropertyStart(Protocol.ERROR);
      g.writeStringProperty(Protocol.CODE, error.code());
      g.writeStringProperty(Protocol.MESSAGE, error.getMessage());
      writeDetails(g, error.details());
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  /**
   * The HTTP 400 body of a rejected handshake: {@code {"error":..,"details":[..]}}; {@code details}
   * is absent when empty.
   */
  public byte[] encodeHandshakeError(String error, List<Violation> details) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = mapper.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringProperty(Protocol.ERROR, error);
      writeDetails(g, details);
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeDetails(JsonGenerator g, List<Violation> details) {
    if (details.isEmpty()) {
      return;
    }
    g.writeArrayPropertyStart(Protocol.DETAILS);
    for (Violation v : details) {
      g.writeStartObject();
      g.writeStringProperty(Protocol.PATH, v.path());
      g.writeStringProperty(Protocol.MESSAGE, v.message());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
