package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.JsonBinding;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creators called through {@link CreatorHandles} behave as Jackson's own calls: the same value, or
 * the same failure (wrapped or not, with the same cause), for every kind of creator it takes over.
 */
class CreatorHandlesTest {
  /** A record: its canonical constructor is the creator. */
  public record Point(int x, int y) {}

  /** A record whose constructor refuses a value. */
  public record Checked(String name) {
    public Checked {
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank");
      }
    }
  }

  /** A record whose constructor throws an error, which Jackson does not wrap. */
  public record Fatal(String name) {
    public Fatal {
      if (name.equals("boom")) {
        throw new AssertionError("boom");
      }
    }
  }

  /** A record with a varargs component: the creator takes the array as one argument. */
  public record Tags(String... tags) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Tags t && Arrays.equals(tags, t.tags);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tags);
    }

    @Override
    public String toString() {
      return "Tags" + Arrays.toString(tags);
    }
  }

  /** A class with a {@code @JsonCreator} constructor. */
  public static final class Ctor {
    final String a;
    final Integer n;

    @JsonCreator
    public Ctor(@JsonProperty("a") String a, @JsonProperty("n") Integer n) {
      if ("bad".equals(a)) {
        throw new IllegalStateException("bad a");
      }
      this.a = a;
      this.n = n;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ctor c && Objects.equals(a, c.a) && Objects.equals(n, c.n);
    }

    @Override
    public int hashCode() {
      return Objects.hash(a, n);
    }

    @Override
    public String toString() {
      return "Ctor[" + a + ", " + n + "]";
    }
  }

  /** A class with a static {@code @JsonCreator} factory. */
  public static final class Factory {
    final String a;
    final long b;

    private Factory(String a, long b) {
      this.a = a;
      this.b = b;
    }

    @JsonCreator
    public static Factory of(@JsonProperty("a") String a, @JsonProperty("b") long b) {
      if (b < 0) {
        throw new IllegalArgumentException("negative b");
      }
      return new Factory(a, b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Factory f && Objects.equals(a, f.a) && b == f.b;
    }

    @Override
    public int hashCode() {
      return Objects.hash(a, b);
    }

    @Override
    public String toString() {
      return "Factory[" + a + ", " + b + "]";
    }
  }

  /** Records whether its constructor was called by {@link CreatorHandles.Spreading}. */
  public record Probe(String name, boolean throughHandle) {
    public Probe(@JsonProperty("name") String name) {
      this(
          name,
          StackWalker.getInstance()
              .walk(
                  frames ->
                      frames.anyMatch(
                          f -> f.getClassName().equals(CreatorHandles.Spreading.class.getName()))));
    }

    @JsonCreator
    public static Probe read(@JsonProperty("name") String name) {
      return new Probe(name);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(Point.class, "{\"x\":1,\"y\":2}"),
        Arguments.of(Point.class, "{\"x\":1}"),
        Arguments.of(Point.class, "{\"x\":1,\"y\":null}"),
        Arguments.of(Checked.class, "{\"name\":\"ok\"}"),
        Arguments.of(Checked.class, "{\"name\":\" \"}"),
        Arguments.of(Checked.class, "{}"),
        Arguments.of(Fatal.class, "{\"name\":\"boom\"}"),
        Arguments.of(Tags.class, "{\"tags\":[\"a\",\"b\"]}"),
        Arguments.of(Tags.class, "{}"),
        Arguments.of(Ctor.class, "{\"a\":\"x\",\"n\":3}"),
        Arguments.of(Ctor.class, "{\"a\":\"bad\",\"n\":3}"),
        Arguments.of(Ctor.class, "{\"n\":null}"),
        Arguments.of(Factory.class, "{\"a\":\"x\",\"b\":7}"),
        Arguments.of(Factory.class, "{\"a\":\"x\",\"b\":-1}"),
        Arguments.of(Factory.class, "{\"a\":\"x\"}"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void sameOutcomeAsJacksonsOwnCall(Class<?> type, String json) {
    for (boolean nullPrimitives : new boolean[] {true, false}) {
      JsonMapper.Builder jackson = JsonMapper.builder();
      JsonMapper.Builder handles = JsonMapper.builder().addModule(new CreatorHandles());
      if (!nullPrimitives) {
        jackson.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        handles.disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
      }
      assertThat(outcome(handles.build(), type, json))
          .isEqualTo(outcome(jackson.build(), type, json));
    }
  }

  @Test
  void valuesAndFailuresAreJacksons() {
    ObjectMapper mapper = JsonMapper.builder().addModule(new CreatorHandles()).build();
    assertThat(mapper.readValue("{\"x\":1,\"y\":2}", Point.class)).isEqualTo(new Point(1, 2));
    assertThat(mapper.readValue("{\"tags\":[\"a\",\"b\"]}", Tags.class))
        .isEqualTo(new Tags("a", "b"));
    assertThat(mapper.readValue("{\"a\":\"x\",\"b\":7}", Factory.class))
        .isEqualTo(Factory.of("x", 7));

    Throwable refused = catchThrowable(() -> mapper.readValue("{\"name\":\" \"}", Checked.class));
    assertThat(refused).isInstanceOf(ValueInstantiationException.class);
    assertThat(refused.getCause())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name is blank");

    Throwable fromFactory =
        catchThrowable(() -> mapper.readValue("{\"a\":\"x\",\"b\":-1}", Factory.class));
    assertThat(fromFactory).isInstanceOf(ValueInstantiationException.class);
    assertThat(fromFactory.getCause()).hasMessage("negative b");

    assertThat(catchThrowable(() -> mapper.readValue("{\"name\":\"boom\"}", Fatal.class)))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage("boom");
  }

  @Test
  void zocketsMappersCallCreatorsThroughTheHandle() {
    ObjectMapper base = JsonMapper.builder().build();
    List<ObjectMapper> mappers =
        List.of(
            JsonMappers.configure(base, JsonLimits.DEFAULTS),
            JsonMappers.configure(
                JsonMapper.builder().addModule(JsonBinding.lenient()).build(), JsonLimits.DEFAULTS),
            JsonMappers.configureForHeaders(base, JsonLimits.DEFAULTS));
    for (ObjectMapper mapper : mappers) {
      assertThat(mapper.readValue("{\"name\":\"p\"}", Probe.class)).isEqualTo(new Probe("p", true));
    }
    assertThat(base.readValue("{\"name\":\"p\"}", Probe.class)).isEqualTo(new Probe("p", false));
  }

  @Test
  void constructorFailuresStillReadAsInvalid() {
    JsonCodec codec = JsonCodec.defaults();
    EnvelopeReader.Typed typed = () -> codec.mapper().constructType(Checked.class);
    byte[] frame = "{\"type\":\"t\",\"payload\":{\"name\":\" \"}}".getBytes(StandardCharsets.UTF_8);
    Envelope envelope =
        codec.reader().decode(frame, 0, frame.length, type -> typed, new ArrayList<>());
    assertThat(envelope.bindError()).isNotNull();
    assertThat(envelope.bindError().details()).containsExactly(new Violation("", "is invalid"));
  }

  /** What reading gives: the value, or the failure with its cause. */
  private static String outcome(ObjectMapper mapper, Class<?> type, String json) {
    try {
      return "value " + mapper.readValue(json, type);
    } catch (Throwable t) {
      Throwable cause = t.getCause();
      return "thrown "
          + t.getClass().getName()
          + ": "
          + t.getMessage()
          + (cause == null ? "" : " / " + cause.getClass().getName() + ": " + cause.getMessage());
    }
  }
}
