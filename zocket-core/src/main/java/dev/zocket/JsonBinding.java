package dev.zocket;

import dev.zocket.internal.JsonMappers;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.module.SimpleModule;

/**
 * How payloads are bound to their Java types. By default Zocket binds strictly, as a zod schema
 * checks: a JSON value binds to a Java type only when its JSON type is the one the Java type is
 * written as.
 *
 * <table>
 *   <caption>What binds to what</caption>
 *   <tr><th>Java type</th><th>accepts</th><th>refuses, for example</th></tr>
 *   <tr><td>{@code String}, {@code char}</td><td>a string</td><td>{@code 5}, {@code true}</td></tr>
 *   <tr><td>{@code byte}, {@code short}, {@code int}, {@code long}, {@code BigInteger} and their
 *       wrappers</td><td>a number with no fraction that fits the type ({@code 3}, {@code 3.0},
 *       {@code 1e3})</td><td>{@code "5"}, {@code 1.5}, {@code 200} for a {@code byte}</td></tr>
 *   <tr><td>{@code float}, {@code double}, {@code BigDecimal}</td><td>a number (that is finite
 *       as a {@code float} or {@code double})</td><td>{@code "1.5"}, {@code "NaN"}</td></tr>
 *   <tr><td>{@code boolean}</td><td>{@code true}, {@code false}</td><td>{@code 1}, {@code
 *       "true"}</td></tr>
 *   <tr><td>an enum</td><td>the name of a constant</td><td>{@code 0} (an ordinal), {@code
 *       ""}</td></tr>
 *   <tr><td>{@code java.time} types, {@code UUID}, {@code URI}</td><td>an ISO-8601 (or URI, ...)
 *       string</td><td>a number of milliseconds, {@code ""}</td></tr>
 *   <tr><td>lists, sets, arrays</td><td>an array</td><td>a single value</td></tr>
 *   <tr><td>records, classes, maps</td><td>an object</td><td>a string, an array</td></tr>
 *   <tr><td>a sealed interface of records</td><td>an object whose discriminator ({@code "kind"}
 *       unless {@code @JsonTypeInfo} names another property) is a record's type id ({@code
 *       @JsonTypeName})</td><td>a missing or unknown type id (refused at the discriminator's path,
 *       {@code shape.kind}), a string, an array</td></tr>
 * </table>
 *
 * <p>{@code null} binds to every reference type (use {@code @NotNull} to refuse it) and to no
 * primitive; a missing primitive component is refused too. A payload that breaks a rule is not
 * handled: a call is answered with {@code INVALID_PAYLOAD}, whose details name the JSON path and
 * say what was wrong ({@code "roomId": expected string, got number}); a message without an answer
 * is dropped and counted. Types whose JSON form the application decides are bound as Jackson binds
 * them: {@code Object}, {@code JsonNode}, classes with a delegating {@code @JsonCreator} or a
 * {@code @JsonValue}, and types with a deserializer of their own.
 *
 * <p>Under JSpecify's {@code @NullMarked} (on the package, class, record or contract) a component,
 * type argument or array element not written {@code @Nullable} is non-null: a null or missing value
 * there is refused at its path ({@code "tags[1]": expected object, got null}), in requests, events,
 * replies and header records, with or without the lenient module.
 *
 * <p>Handshake headers arrive as strings, so they are bound with Jackson's usual conversions
 * ({@code "5"} for an {@code int} header).
 */
public final class JsonBinding {
  private JsonBinding() {}

  /**
   * A Jackson 3 module that asks Zocket to bind payloads with Jackson's lenient conversions instead
   * of its strict rules: register it on the mapper given to the server or client builder.
   *
   * <pre>{@code
   * ZocketServer.builder()
   *     .objectMapper(JsonMapper.builder().addModule(JsonBinding.lenient()).build())
   * }</pre>
   *
   * <p>Jackson's own settings then apply: by default it turns {@code 5} into {@code "5"}, {@code
   * "5"} into {@code 5} and {@code 1.5} into {@code 1}; its {@code DeserializationFeature}s and
   * coercion configs tune this. A null or missing primitive is its zero value, as in Jackson 2
   * (Zocket turns Jackson 3's {@code FAIL_ON_NULL_FOR_PRIMITIVES} off).
   */
  public static JacksonModule lenient() {
    // A module with an explicit name is registered under that name, which JsonMappers looks for.
    return new SimpleModule(JsonMappers.LENIENT_MODULE);
  }
}
