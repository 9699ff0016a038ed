package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.util.TokenBuffer;

/**
 * Reads protocol envelopes with Jackson. Payloads are bound straight from the frame's token stream
 * to the route's type: never through a tree and never by parsing the text twice.
 *
 * <p>Thread-safe; one instance serves a whole server or client.
 */
public final class EnvelopeReader {
  private final ObjectMapper mapper;
  private final ObjectReader trees;
  private final ConcurrentHashMap<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Function<JavaType, ObjectReader> newReader;

  /**
   * @param mapper binds payloads; configured by {@link JsonMappers#configure}
   */
  EnvelopeReader(ObjectMapper mapper) {
    this.mapper = mapper;
    // Payloads and error bodies are values in the middle of an envelope: what follows them is the
    // envelope's business (checked in decode), not a trailing token.
    this.trees =
        mapper.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.newReader =
        type -> mapper.readerFor(type).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * Tells the decoder what a frame's {@code type} names while the frame is read, so the payload can
   * be bound in one pass and the caller need not look the type up again.
   */
  @FunctionalInterface
  public interface PayloadTypes {
    /**
     * What {@code type} names, or null when nothing; the envelope keeps it ({@link
     * Envelope#found()}).
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
   *     reported in {@link Envelope#bindError()} and the rest of the frame is still read
   * @param why receives the reason a frame was dropped
   */
  public Envelope decode(
      byte[] data, int offset, int length, PayloadTypes types, List<String> why) {
    // Duplicate keys, in the envelope and in the payload, are refused by the parser: the mapper has
    // StreamReadFeature.STRICT_DUPLICATE_DETECTION (JsonMappers).
    try (JsonParser p = mapper.createParser(data, offset, length)) {
      return decode(p, types, why);
    } catch (RuntimeException e) {
      why.add(reason(e));
      return null;
    }
  }

  private Envelope decode(JsonParser p, PayloadTypes types, List<String> why) {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      why.add("not a JSON object");
      return null;
    }
    Envelope f = new Envelope();
    TokenStreamContext top = p.streamReadContext();
    JavaType payloadType = null;
    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
      String field = p.currentName();
      switch (field) {
        case Protocol.TYPE -> {
          if (p.nextToken() != JsonToken.VALUE_STRING) {
            why.add("'type' is not a string");
            return null;
          }
          f.type = p.getString();
          f.found = types.find(f.type);
          payloadType = f.found == null ? null : f.found.payloadJavaType();
        }
        case Protocol.RPC_ID -> {
          if (p.nextToken() != JsonToken.VALUE_STRING) {
            why.add("'rpcId' is not a string");
            return null;
          }
          f.rpcId = p.getString();
        }
        case Protocol.POSITION -> {
          if (p.nextToken() == JsonToken.VALUE_STRING) {
            f.position = p.getString();
          } else {
            p.skipChildren(); // not one of ours: ignored, as any unknown key
          }
        }
        case Protocol.PAYLOAD -> {
          f.hasPayload = true;
          JsonToken value = p.nextToken();
          if (payloadType == null) {
            f.buffered = buffer(p);
          } else if (value != JsonToken.VALUE_NULL) {
            f.payload = bind(p, payloadType, top, f);
          } // else null stays null for every type (Jackson would make 0 of it for an int)
        }
        case Protocol.ERROR -> {
          if (p.nextToken() == JsonToken.START_OBJECT) {
            f.error = ErrorBody.from(trees.readValue(p));
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

  /**
   * Copies the current value into a buffer. Unlike {@link TokenBuffer#copyCurrentStructure}, it
   * reads strings with {@link JsonParser#getString()}, which applies the string length limit.
   */
  private static TokenBuffer buffer(JsonParser p) {
    TokenBuffer buffer = TokenBuffer.forBuffering(p, p.objectReadContext());
    int depth = 0;
    for (JsonToken t = p.currentToken(); ; t = p.nextToken()) {
      if (t == null) {
        throw new UnexpectedEndOfInputException(p, null, "Unexpected end of the payload");
      }
      if (t == JsonToken.VALUE_STRING) {
        buffer.writeString(p.getString());
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

  private Object bind(JsonParser p, JavaType type, TokenStreamContext top, Envelope f) {
    try {
      return reader(type).readValue(p);
    } catch (DatabindException | InputCoercionException e) {
      unrecoverable(e);
      f.bindError = BindErrors.of(e, p.streamReadContext(), top);
      // Skip what is left of the payload, so rpcId (which may follow) is still read.
      while (p.streamReadContext() != top) {
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
  private static void unrecoverable(JacksonException e) {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof StreamConstraintsException
          || (t instanceof StreamReadException && !(t instanceof InputCoercionException))) {
        throw (JacksonException) t;
      }
    }
  }

  /**
   * Binds a buffered payload (see {@link Envelope#buffered()}) to a type; JSON null, or a null
   * buffer, gives null.
   *
   * @throws InvalidPayloadException if the payload does not fit the type
   */
  public Object bindBuffered(TokenBuffer buffer, JavaType type) {
    if (buffer == null) {
      return null;
    }
    try (JsonParser p = buffer.asParser()) {
      TokenStreamContext root = p.streamReadContext();
      if (p.nextToken() == JsonToken.VALUE_NULL) {
        return null;
      }
      try {
        return reader(type).readValue(p);
      } catch (DatabindException | InputCoercionException e) {
        throw BindErrors.of(e, p.streamReadContext(), root);
      }
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
}
