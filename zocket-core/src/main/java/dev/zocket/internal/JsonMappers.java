package dev.zocket.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.zocket.JsonLimits;

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
}
