package dev.zocket.internal;

import dev.zocket.JsonLimits;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Zocket's settings for Jackson mappers: one for payloads, with the strict binding rules, and one
 * for handshake headers, with Jackson's conversions.
 */
public final class JsonMappers {
  /**
   * The name of the module {@link dev.zocket.JsonBinding#lenient()} makes; a mapper registered with
   * it binds payloads with Jackson's own conversions instead of the strict rules.
   */
  public static final String LENIENT_MODULE = "dev.zocket.JsonBinding.lenient";

  private JsonMappers() {}

  /**
   * The mapper a server or client uses when the application gives none: Jackson's defaults, to
   * which {@link #configure} adds Zocket's settings.
   */
  public static JsonMapper defaultMapper() {
    return JsonMapper.builder().build();
  }

  /**
   * Checks that an application's mapper reads and writes JSON, which is what Zocket speaks.
   *
   * @return the mapper
   * @throws IllegalArgumentException if it is not a {@link JsonMapper}
   */
  public static ObjectMapper requireJson(ObjectMapper mapper) {
    if (!(mapper instanceof JsonMapper)) {
      throw new IllegalArgumentException(
          "Zocket reads and writes JSON: give it a tools.jackson.databind.json.JsonMapper"
              + " (JsonMapper.builder()...build()), not a "
              + mapper.getClass().getName());
    }
    return mapper;
  }

  /**
   * Applies Zocket's settings to a mapper for payloads: {@code java.time} as ISO-8601 strings,
   * enums by their names, properties in declaration order (as Jackson 2 wrote them, and as the
   * TypeScript schema lists them; {@code @JsonPropertyOrder} still applies), characters beyond the
   * BMP as escaped surrogate pairs (as Jackson 2 wrote them), unknown properties ignored, duplicate
   * keys rejected, the given read limits, and strict binding ({@link dev.zocket.JsonBinding})
   * unless the mapper has the lenient module. Returns a new mapper built from the argument's
   * configuration ({@link ObjectMapper#rebuild()}); the argument is not changed.
   *
   * @throws IllegalArgumentException if {@code base} is not a {@link JsonMapper}
   */
  public static ObjectMapper configure(ObjectMapper base, JsonLimits limits) {
    return build(base, limits, !isLenient(base));
  }

  /**
   * Applies Zocket's settings to a mapper for handshake headers: as {@link #configure}, but with
   * Jackson's conversions, since headers arrive as strings ({@code "5"} for an {@code int}).
   *
   * @throws IllegalArgumentException if {@code base} is not a {@link JsonMapper}
   */
  public static ObjectMapper configureForHeaders(ObjectMapper base, JsonLimits limits) {
    return build(base, limits, false);
  }

  /** Whether a mapper has the module of {@link dev.zocket.JsonBinding#lenient()}. */
  static boolean isLenient(ObjectMapper mapper) {
    for (JacksonModule m : mapper.registeredModules()) {
      if (LENIENT_MODULE.equals(m.getModuleName())) {
        return true;
      }
    }
    return false;
  }

  private static ObjectMapper build(ObjectMapper base, JsonLimits limits, boolean strict) {
    JsonMapper json = (JsonMapper) requireJson(base);
    JsonFactory factory =
        json.tokenStreamFactory()
            .rebuild()
            // Buffers recycled per thread, as Jackson 2 did: Jackson 3's default pool (a concurrent
            // deque) costs a node and two CAS operations a parser or generator. Zocket reads and
            // writes on its I/O threads and handler threads, platform threads all.
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxNestingDepth())
                    .maxStringLength(limits.maxStringLength())
                    .maxNumberLength(limits.maxNumberLength())
                    .maxNameLength(limits.maxNameLength())
                    .build())
            .build();
    JsonMapper.Builder b =
        json.rebuild()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(
                DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS,
                DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS,
                DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE,
                EnumFeature.READ_ENUMS_USING_TO_STRING,
                EnumFeature.WRITE_ENUMS_USING_TO_STRING)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            // Characters beyond the BMP as escaped surrogate pairs, as Jackson 2 wrote them.
            .disable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // A payload is written in the middle of an envelope: flushing after it would only cost
            // a write.
            .disable(
                SerializationFeature.FAIL_ON_EMPTY_BEANS,
                SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
            // Records and @JsonCreator constructors called through a handle made once.
            .addModule(new CreatorHandles())
            // Sealed interfaces of records: their discriminator, and in strict mode their gate.
            .addModule(SealedUnions.module(strict));
    if (strict) {
      b.addModule(new StrictTypes());
    } else {
      // Jackson's conversions, as Jackson 2 made them: a missing or null primitive is its zero
      // value (a header record's constructor may then choose a default). Jackson 3 refuses null by
      // default, and 3.0 and 3.1 a missing creator parameter too. The strict rules refuse both.
      b.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }
    return new WithFactory(b, factory).build();
  }

  /**
   * A builder with another builder's configuration and a JSON factory of its own: Jackson 3's
   * builders keep the factory of the mapper they were made from, and the read limits live in the
   * factory.
   */
  private static final class WithFactory extends JsonMapper.Builder {
    WithFactory(JsonMapper.Builder from, JsonFactory factory) {
      super(new StateImpl(from));
      _streamFactory = factory;
    }
  }
}
