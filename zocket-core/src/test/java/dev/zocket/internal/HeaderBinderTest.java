package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

final class HeaderBinderTest {
  record ChatHeaders(
      @JsonProperty("user-name") @NotBlank @Size(max = 32) String userName,
      @Min(1) @Max(100) int limit,
      boolean verbose) {
    ChatHeaders {
      if (userName == null) {
        userName = "Anonymous";
      }
      if (limit == 0) {
        limit = 20;
      }
    }
  }

  record Strict(@JsonProperty("api-key") String apiKey) {
    Strict {
      if (apiKey != null && apiKey.startsWith("x")) {
        throw new IllegalArgumentException("bad key " + apiKey);
      }
    }
  }

  private final JsonCodec codec = JsonCodec.defaults();
  private final PayloadValidator validator = new PayloadValidator(codec.mapper());
  private final ObjectMapper headerMapper =
      JsonMappers.configureForHeaders(new JsonMapper(), JsonLimits.DEFAULTS);
  private final HeaderBinder<ChatHeaders> binder =
      new HeaderBinder<>(ChatHeaders.class, headerMapper, validator);

  @Test
  void defaultsComeFromTheRecord() {
    assertThat(binder.bind(Map.of())).isEqualTo(new ChatHeaders("Anonymous", 20, false));
    assertThat(binder.type()).isEqualTo(ChatHeaders.class);
  }

  @Test
  void queryStringsAreCoerced() {
    assertThat(binder.bind(Map.of("user-name", "Alice", "limit", "42", "verbose", "true")))
        .isEqualTo(new ChatHeaders("Alice", 42, true));
  }

  @Test
  void unknownKeysAreIgnored() {
    Map<String, String> values = new HashMap<>();
    values.put("user-name", "Bob");
    values.put("x-zocket-version", "1.0.0");
    values.put("userName", "Mallory");
    values.put("Cookie", "a=b");
    assertThat(binder.bind(values)).isEqualTo(new ChatHeaders("Bob", 20, false));
  }

  @Test
  void violationsUseJsonNames() {
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class,
            () -> binder.bind(Map.of("user-name", " ", "limit", "101")));
    assertThat(e).hasMessage("Invalid headers");
    assertThat(e.details())
        .containsExactly(
            new Violation("limit", "must be less than or equal to 100"),
            new Violation("user-name", "must not be blank"));
  }

  @Test
  void bindingErrorsAreReported() {
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> binder.bind(Map.of("limit", "many")));
    assertThat(e).hasMessage("Invalid headers");
    assertThat(e.details())
        .containsExactly(new Violation("limit", "expected integer, got \"many\""));

    InvalidPayloadException range =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> binder.bind(Map.of("limit", "99999999999")));
    assertThat(range.details()).hasSize(1);
    assertThat(range.details().get(0).path()).isEqualTo("limit");
  }

  @Test
  void constructorFailuresAreReportedWithoutTheirText() {
    HeaderBinder<Strict> strict = new HeaderBinder<>(Strict.class, headerMapper, validator);
    assertThat(strict.bind(Map.of("api-key", "k1"))).isEqualTo(new Strict("k1"));
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> strict.bind(Map.of("api-key", "xyz")));
    assertThat(e).hasMessage("Invalid headers");
    assertThat(e.details()).containsExactly(new Violation("", "is invalid"));
  }

  @Test
  void unmappableHeaderTypeIsRejected() {
    assertThatThrownBy(() -> new HeaderBinder<>(List.class, headerMapper, validator))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Header type java.util.List cannot be mapped: headers are named values, read from a"
                + " JSON object. Use a record.");
    assertThatThrownBy(() -> new HeaderBinder<>(String.class, headerMapper, validator))
        .isInstanceOf(IllegalArgumentException.class);
    Object raw = new HeaderBinder<>(Map.class, headerMapper, validator).bind(Map.of("a", "1"));
    assertThat(raw).isEqualTo(Map.of("a", "1"));
    assertThatThrownBy(() -> new HeaderBinder<>(Runnable.class, headerMapper, validator))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Header type java.lang.Runnable cannot be mapped: Runnable is abstract, so JSON cannot"
                + " say which class to build. Use a record or a concrete class.");
  }
}
