package dev.zocket.internal;

import dev.zocket.JsonLimits;
import java.util.Objects;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON side of one server or client: its configured mapper, with the envelope reader, the
 * envelope writer and the mapping check that share it.
 *
 * <p>Thread-safe; one instance serves a whole server or client.
 */
public final class JsonCodec {
  private final ObjectMapper mapper;
  private final EnvelopeReader reader;
  private final EnvelopeWriter writer;
  private final MappingCheck mappingCheck;

  /**
   * A codec over a mapper configured by {@link JsonMappers#configure}.
   *
   * @param mapper the mapper; the codec uses it as given
   */
  public JsonCodec(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper == null");
    this.reader = new EnvelopeReader(mapper);
    this.writer = new EnvelopeWriter(mapper);
    this.mappingCheck = new MappingCheck(mapper);
  }

  /** A codec with the default mapper and limits. */
  public static JsonCodec defaults() {
    return new JsonCodec(JsonMappers.configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS));
  }

  /** The mapper in use. */
  public ObjectMapper mapper() {
    return mapper;
  }

  /** Reads envelopes and binds their payloads. */
  public EnvelopeReader reader() {
    return reader;
  }

  /** Writes envelopes and error bodies. */
  public EnvelopeWriter writer() {
    return writer;
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
}
