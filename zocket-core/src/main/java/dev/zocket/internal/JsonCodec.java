package dev.zocket.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Reads and writes protocol envelopes with Jackson. Payloads are bound straight from the frame's
 * token stream to the route's type: never through a tree and never by parsing the text twice.
 *
 * <p>Thread-safe; one instance serves a whole server or client.
 */
public final class JsonCodec {
  private final ObjectMapper mapper;
  private final JsonFactory factory;
  private final ConcurrentHashMap<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();
  private final ThreadLocal<Sink> sinks = ThreadLocal.withInitial(Sink::new);
  private final Function<JavaType, ObjectReader> newReader;
  private final MappingCheck mappingCheck;

  /**
   * A codec over a mapper configured by {@link #configure}.
   *
   * @param mapper the mapper; the codec uses it as given
   */
  public JsonCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper == null");
    this.factory = mapper.getFactory();
    this.newReader = mapper::readerFor;
    this.mappingCheck = new MappingCheck(mapper);
  }

  /** A codec with the default mapper and limits. */
  public static JsonCodec defaults() {
    return new JsonCodec(configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS));
  }

  /**
   * The name of the module {@link dev.zocket.JsonBinding#lenient()} makes; a mapper registered with
   * it binds payloads with Jackson's own conversions instead of the strict rules.
   */
  public static final String LENIENT_MODULE = "dev.zocket.JsonBinding.lenient";

  /**
   * Applies Zocket's settings to a mapper for payloads: {@code java.time} as ISO-8601 strings,
   * unknown properties ignored, duplicate keys rejected, the given read limits, and strict binding
   * ({@link dev.zocket.JsonBinding}) unless the mapper has the lenient module. Returns a copy; the
   * argument is not changed.
   */
  public static ObjectMapper configure(ObjectMapper base, JsonLimits limits) {
    ObjectMapper m = configureForHeaders(base, limits);
    if (!base.getRegisteredModuleIds().contains(LENIENT_MODULE)) {
      m.registerModule(new StrictTypes());
    }
    return m;
  }

  /**
   * Applies Zocket's settings to a mapper for handshake headers: as {@link #configure}, but with
   * Jackson's conversions, since headers arrive as strings ({@code "5"} for an {@code int}).
   */
  public static ObjectMapper configureForHeaders(ObjectMapper base, JsonLimits limits) {
    ObjectMapper m = base.copy();
    m.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(limits.maxNameLength())
                .build());
    m.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    m.registerModule(new JavaTimeModule());
    m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    m.disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    m.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    // A payload is written in the middle of an envelope: flushing after it would only cost a write.
    m.disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    return m;
  }

  /** The mapper in use. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * Checks that every payload and reply type of a contract can be read from JSON and written to
   * JSON with this codec's mapper; each type is checked once.
   *
   * @throws dev.zocket.ContractException naming the method whose type cannot be mapped
   */
  public void checkMappable(Contract contract) {
    for (RouteDescriptor route : contract.routes()) {
      mappingCheck.check(route);
    }
  }

  /**
   * Checks one route's payload and reply types as {@link #checkMappable(Contract)} does.
   *
   * @throws dev.zocket.ContractException naming the method whose type cannot be mapped
   */
  public void checkMappable(RouteDescriptor route) {
    mappingCheck.check(route);
  }

  // ------------------------------------------------------------------ decoding

  /**
   * Tells the decoder what a frame's {@code type} names while the frame is read, so the payload can
   * be bound in one pass and the caller need not look the type up again.
   */
  @FunctionalInterface
  public interface PayloadTypes {
    /**
     * What {@code type} names, or null when nothing; the frame keeps it ({@link Frame#found()}).
     */
    Typed find(String type);
  }

  /** Something a frame's type names: a route, with the type its payload is bound to. */
  @FunctionalInterface
  public interface Typed {
    /** The payload's type, or null to keep the payload buffered. */
    JavaType payloadJavaType();
  }

  /**
   * Decodes one frame. Returns null and sets no state when the frame is not a protocol envelope
   * (not JSON, not an object, {@code type} missing or not a string, {@code rpcId} not a string,
   * trailing content, limits exceeded); {@code why} receives the reason.
   *
   * @param data the frame's bytes (UTF-8 JSON)
   * @param types finds what a type names and its payload type; a payload that cannot be bound is
   *     reported in {@link Frame#bindError()} and the rest of the frame is still read
   * @param why receives the reason a frame was dropped
   */
  public Frame decode(byte[] data, int offset, int length, PayloadTypes types, List<String> why) {
    try (JsonParser p = factory.createParser(data, offset, length)) {
      // Duplicate keys: the envelope's own are checked below, which spares Jackson's detector the
      // set it makes for a third name; the detector is switched back on for the payload.
      p.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      return decode(p, types, why);
    } catch (IOException | RuntimeException e) {
      why.add(reason(e));
      return null;
    }
  }

  private Frame decode(JsonParser p, PayloadTypes types, List<String> why) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      why.add("not a JSON object");
      return null;
    }
    Frame f = new Frame();
    JsonStreamContext envelope = p.getParsingContext();
    JavaType payloadType = null;
    // The envelope's duplicate keys are checked here (see decode above).
    boolean strict = factory.isEnabled(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String field = p.currentName();
      switch (field) {
        case Protocol.TYPE -> {
          if (strict && f.type != null) {
            return duplicate(field, why);
          }
          if (p.nextToken() != JsonToken.VALUE_STRING) {
            why.add("'type' is not a string");
            return null;
          }
          f.type = p.getText();
          f.found = types.find(f.type);
          payloadType = f.found == null ? null : f.found.payloadJavaType();
        }
        case Protocol.RPC_ID -> {
          if (strict && f.rpcId != null) {
            return duplicate(field, why);
          }
          if (p.nextToken() != JsonToken.VALUE_STRING) {
            why.add("'rpcId' is not a string");
            return null;
          }
          f.rpcId = p.getText();
        }
        case Protocol.PAYLOAD -> {
          if (strict) {
            if (f.hasPayload) {
              return duplicate(field, why);
            }
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
          }
          f.hasPayload = true;
          JsonToken value = p.nextToken();
          if (payloadType == null) {
            f.buffered = buffer(p);
          } else if (value != JsonToken.VALUE_NULL) {
            f.payload = bind(p, payloadType, envelope, f);
          } // else null stays null for every type (Jackson would make 0 of it for an int)
        }
        case Protocol.ERROR -> {
          if (strict && f.error != null) {
            return duplicate(field, why);
          }
          if (p.nextToken() == JsonToken.START_OBJECT) {
            f.error = ErrorBody.from(mapper.readTree(p));
          } else {
            p.skipChildren();
          }
        }
        default -> {
          p.nextToken();
          p.skipChildren();
        }
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      why.add("truncated object");
      return null;
    }
    if (p.nextToken() != null) {
      why.add("content after the JSON object");
      return null;
    }
    if (f.type == null) {
      why.add("'type' is missing");
      return null;
    }
    return f;
  }

  private static Frame duplicate(String field, List<String> why) {
    why.add("duplicate key '" + field + "'");
    return null;
  }

  /**
   * Copies the current value into a buffer. Unlike {@link TokenBuffer#copyCurrentStructure}, it
   * reads strings with {@link JsonParser#getText()}, which applies the string length limit.
   */
  private static TokenBuffer buffer(JsonParser p) throws IOException {
    TokenBuffer buffer = new TokenBuffer(p);
    int depth = 0;
    for (JsonToken t = p.currentToken(); ; t = p.nextToken()) {
      if (t == null) {
        throw new JsonEOFException(p, null, "Unexpected end of the payload");
      }
      if (t == JsonToken.VALUE_STRING) {
        buffer.writeString(p.getText());
      } else {
        buffer.copyCurrentEvent(p);
      }
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      }
      if (depth == 0) {
        return buffer;
      }
    }
  }

  private Object bind(JsonParser p, JavaType type, JsonStreamContext envelope, Frame f)
      throws IOException {
    try {
      return reader(type).readValue(p);
    } catch (JsonMappingException | InputCoercionException e) {
      unrecoverable(e);
      f.bindError = BindErrors.of(e, p.getParsingContext(), envelope);
      // Skip what is left of the payload, so rpcId (which may follow) is still read.
      while (p.getParsingContext() != envelope) {
        if (p.nextToken() == null) {
          throw e;
        }
      }
      return null;
    }
  }

  /**
   * Rethrows a syntax error or an exceeded limit that Jackson wrapped into a binding error: such a
   * frame is dropped, not answered, and the parser cannot go on.
   */
  private static void unrecoverable(JsonProcessingException e) throws IOException {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof StreamConstraintsException
          || (t instanceof StreamReadException && !(t instanceof InputCoercionException))) {
        throw (IOException) t;
      }
    }
  }

  /**
   * Binds a buffered payload (see {@link Frame#buffered()}) to a type; JSON null, or a null buffer,
   * gives null.
   *
   * @throws InvalidPayloadException if the payload does not fit the type
   */
  public Object bindBuffered(TokenBuffer buffer, JavaType type) {
    if (buffer == null) {
      return null;
    }
    try (JsonParser p = buffer.asParser(mapper)) {
      JsonStreamContext root = p.getParsingContext();
      if (p.nextToken() == JsonToken.VALUE_NULL) {
        return null;
      }
      try {
        return reader(type).readValue(p);
      } catch (JsonMappingException | InputCoercionException e) {
        throw BindErrors.of(e, p.getParsingContext(), root);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ObjectReader reader(JavaType type) {
    return readers.computeIfAbsent(type, newReader);
  }

  private static String reason(Throwable e) {
    String m = e.getMessage();
    if (m == null) {
      return e.getClass().getSimpleName();
    }
    int cut = m.indexOf('\n');
    return cut >= 0 ? m.substring(0, cut) : m;
  }

  /** One decoded envelope. Fields are read-only outside this class. */
  public static final class Frame {
    String type;
    Typed found;
    String rpcId;
    boolean hasPayload;
    Object payload;
    TokenBuffer buffered;
    InvalidPayloadException bindError;
    ErrorBody error;

    /** The route, or {@code __rpc_res} for replies. */
    public String type() {
      return type;
    }

    /** What the type names, as {@link PayloadTypes#find} returned it; null when nothing. */
    public Typed found() {
      return found;
    }

    /** The call id, or null. */
    public String rpcId() {
      return rpcId;
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
     * {@code payload} before {@code type}); else null. Bind with {@link #bindBuffered}.
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

  /** The {@code error} object of a failed call's reply. */
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
              new Violation(d.path(Protocol.PATH).asText(""), d.path(Protocol.MESSAGE).asText("")));
        }
      }
      JsonNode code = node.path(Protocol.CODE);
      JsonNode message = node.path(Protocol.MESSAGE);
      return new ErrorBody(
          code.isValueNode() && !code.isNull() ? code.asText() : null,
          message.isValueNode() && !message.isNull() ? message.asText() : null,
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

  // ------------------------------------------------------------------ encoding

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
      try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
        writeEnvelope(g, type, payload, hasPayload, rpcId);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return;
    }
    sink.target = out;
    try {
      JsonGenerator g = sink.generator();
      writeEnvelope(g, type, payload, hasPayload, rpcId);
      g.flush();
    } catch (IOException e) {
      sink.discard();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      sink.discard();
      throw e;
    } finally {
      sink.target = null;
    }
  }

  private void writeEnvelope(
      JsonGenerator g, String type, Object payload, boolean hasPayload, String rpcId)
      throws IOException {
    g.writeStartObject();
    g.writeStringField(Protocol.TYPE, type);
    if (hasPayload) {
      g.writeFieldName(Protocol.PAYLOAD);
      mapper.writeValue(g, payload);
    }
    if (rpcId != null) {
      g.writeStringField(Protocol.RPC_ID, rpcId);
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

    JsonGenerator generator() throws IOException {
      JsonGenerator g = generator;
      if (g == null) {
        g = factory.createGenerator(this, JsonEncoding.UTF8);
        g.setRootValueSeparator(null);
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
    try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField(Protocol.TYPE, Protocol.REPLY_TYPE);
      g.writeStringField(Protocol.RPC_ID, rpcId);
      g.writeObjectFieldStart(Protocol.ERROR);
      g.writeStringField(Protocol.CODE, error.code());
      g.writeStringField(Protocol.MESSAGE, error.getMessage());
      writeDetails(g, error.details());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The HTTP 400 body of a rejected handshake: {@code {"error":..,"details":[..]}}; {@code details}
   * is absent when empty.
   */
  public byte[] encodeHandshakeError(String error, List<Violation> details) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField(Protocol.ERROR, error);
      writeDetails(g, details);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeDetails(JsonGenerator g, List<Violation> details) throws IOException {
    if (details.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(Protocol.DETAILS);
    for (Violation v : details) {
      g.writeStartObject();
      g.writeStringField(Protocol.PATH, v.path());
      g.writeStringField(Protocol.MESSAGE, v.message());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
