package dev.zocket.internal;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;

/**
 * Binds handshake headers (query parameters and HTTP headers, already merged by the transport) to
 * the server's header record and validates it. Defaults come from the record itself, for example a
 * compact constructor that replaces a null {@code userName} with {@code "Anonymous"}. Keys the
 * record does not declare are ignored; JSON names ({@code @JsonProperty("user-name")}) are the
 * keys.
 *
 * <p>Thread-safe.
 *
 * @param <H> the header record
 */
public final class HeaderBinder<H> {
  private final Class<H> type;
  private final ObjectMapper mapper;
  private final ObjectReader reader;
  private final PayloadValidator validator;
  private final NullnessCheck nullness;

  /**
   * @param type the header record
   * @param mapper binds the values, configured by {@link JsonMappers#configureForHeaders}
   * @param validator checks the bound record
   */
  public HeaderBinder(Class<H> type, ObjectMapper mapper, PayloadValidator validator) {
    this.type = Objects.requireNonNull(type, "type == null");
    this.mapper = mapper;
    this.reader = mapper.readerFor(type);
    this.validator = validator;
    this.nullness = new NullnessCheck(mapper);
    String problem = Contracts.unmappable(type);
    if (problem == null
        && (type.isArray()
            || type.isPrimitive()
            || type.isEnum()
            || Collection.class.isAssignableFrom(type)
            || type.getName().startsWith("java.lang."))) {
      problem = "headers are named values, read from a JSON object. Use a record.";
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          "Header type " + type.getName() + " cannot be mapped: " + problem);
    }
  }

  /** The header record's class. */
  public Class<H> type() {
    return type;
  }

  /**
   * Binds and validates.
   *
   * @param values header values by name; a query parameter already replaced an HTTP header of the
   *     same name
   * @throws InvalidPayloadException with message {@code "Invalid headers"} and the violations
   */
  public H bind(Map<String, String> values) {
    Objects.requireNonNull(values, "values == null");
    H headers;
    try {
      JsonNode tree = mapper.valueToTree(values);
      headers = reader.readValue(tree);
    } catch (DatabindException e) {
      InvalidPayloadException bind = BindErrors.of(e);
      throw new InvalidPayloadException("Invalid headers", bind.details());
    } catch (JacksonException e) {
      throw new InvalidPayloadException(
          "Invalid headers", List.of(new Violation("", "cannot be read")));
    }
    nullness.checkHeaders(headers);
    validator.validateHeaders(headers);
    return headers;
  }
}
