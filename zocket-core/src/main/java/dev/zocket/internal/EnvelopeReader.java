package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.json.DupDetector;
import tools.jackson.core.json.JsonReadContext;
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
  private final TokenStreamFactory factory;

  /** The envelope parser's read features: the mapper's, less duplicate detection (see decode). */
  private final ObjectReadContext envelopeFeatures;

  /** Whether duplicate keys are refused; Zocket's mappers refuse them (JsonMappers). */
  private final boolean strict;

  private final ObjectReader trees;
  private final ConcurrentHashMap<JavaType, ObjectReader> readers = new ConcurrentHashMap<>();
  private final Function<JavaType, ObjectReader> newReader;

  /**
   * @param mapper binds payloads; configured by {@link JsonMappers#configure}
   */
  EnvelopeReader(ObjectMapper mapper) {
    this.mapper = mapper;
    this.factory = mapper.tokenStreamFactory();
    this.strict = mapper.isEnabled(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    this.envelopeFeatures =
        new EnvelopeFeatures(
            factory,
            mapper.deserializationConfig().getStreamReadFeatures()
                & ~StreamReadFeature.STRICT_DUPLICATE_DETECTION.getMask(),
            mapper.deserializationConfig().getFormatReadFeatures());
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
    // Duplicate keys: the envelope's own are checked below, which spares Jackson's detector the
    // set it makes for a third name; the detector is switched on before the first value that may
    // hold keys (the payload, mostly). A parser made by the factory with a context of fixed
    // features (not by the mapper, which makes a DeserializationContext for each).
    try (JsonParser p = factory.createParser(envelopeFeatures, data, offset, length)) {
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
          if (strict && f.type != null) {
            return duplicate(field, why);
          }
          if (p.nextToken() != JsonToken.VALUE_STRING) {
            why.add("'type' is not a string");
            return null;
          }
          f.type = p.getString();
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
          f.rpcId = p.getString();
        }
        case Protocol.POSITION -> {
          detectDuplicates(p);
          if (p.nextToken() == JsonToken.VALUE_STRING) {
            f.position = p.getString();
          } else {
            p.skipChildren(); // not one of ours: ignored, as any unknown key
          }
        }
        case Protocol.PAYLOAD -> {
          if (strict && f.hasPayload) {
            return duplicate(field, why);
          }
          detectDuplicates(p);
          f.hasPayload = true;
          JsonToken value = p.nextToken();
          if (payloadType == null) {
            f.buffered = buffer(p);
          } else if (value != JsonToken.VALUE_NULL) {
            f.payload = bind(p, payloadType, top, f);
          } // else null stays null for every type (Jackson would make 0 of it for an int)
        }
        case Protocol.ERROR -> {
          if (strict && f.error != null) {
            return duplicate(field, why);
          }
          detectDuplicates(p);
          if (p.nextToken() == JsonToken.START_OBJECT) {
            f.error = ErrorBody.from(trees.readValue(p));
          } else {
            p.skipChildren();
          }
        }
        default -> {
          detectDuplicates(p);
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

  private static Envelope duplicate(String field, List<String> why) {
    why.add("duplicate key '" + field + "'");
    return null;
  }

  /**
   * Switches Jackson's duplicate detection on in the envelope's object, from its next key on, if it
   * is not yet: every object and array read from then on (the one the next value starts included)
   * has it too. Called before a value that may hold keys, so that no nested context is made without
   * it (Jackson reuses them).
   */
  private void detectDuplicates(JsonParser p) {
    if (strict
        && p.streamReadContext() instanceof JsonReadContext c
        && c.getDupDetector() == null) {
      c.withDupDetector(DupDetector.rootDetector(p));
    }
  }

  /** The read features of the envelope's parser; holds no state, so every frame shares it. */
  private static final class EnvelopeFeatures extends ObjectReadContext.Base {
    private final TokenStreamFactory factory;
    private final int streamFeatures;
    private final int formatFeatures;

    EnvelopeFeatures(TokenStreamFactory factory, int streamFeatures, int formatFeatures) {
      this.factory = factory;
      this.streamFeatures = streamFeatures;
      this.formatFeatures = formatFeatures;
    }

    @Override
    public int getStreamReadFeatures(int defaults) {
      return streamFeatures;
    }

    @Override
    public int getFormatReadFeatures(int defaults) {
      return formatFeatures;
    }

    @Override
    public TokenStreamFactory tokenStreamFactory() {
      return factory;
    }

    @Override
    public StreamReadConstraints streamReadConstraints() {
      return factory.streamReadConstraints();
    }
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
