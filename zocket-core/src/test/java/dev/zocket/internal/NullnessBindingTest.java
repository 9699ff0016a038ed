package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.internal.marked.Todo;
import dev.zocket.internal.marked.Todos;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.NonNull;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * JSpecify nullness in binding: under {@code @NullMarked} a null (or missing) component, element or
 * map value is refused at its path, unless {@code @Nullable}; without it, null binds as before. And
 * the constraints written on a reply's type arguments are checked.
 */
final class NullnessBindingTest {
  /** Not null-marked: today's rules. */
  public record Plain(String title, List<String> items, @NonNull String strict) {}

  public interface Unmarked {
    void plain(Plain p);

    List<String> loose();

    // region replies
    CompletableFuture<List<@NotNull Plain>> all(); // [p, null]: "[1]: must not be null"

    List<@Size(max = 2) String> names(); // ["ab", "abc"]: "[1]: size must be between 0 and 2"
    // endregion replies
  }

  /** A class marked on its own, outside the marked package. */
  @NullMarked
  public static final class Marked {
    public record Pair(String left, @Nullable String right) {}

    public record Who(String user, @Nullable String token) {}

    /** A sealed payload: its permitted records say what is non-null. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({@JsonSubTypes.Type(value = Circle.class, name = "circle")})
    public sealed interface Shape permits Circle {}

    public record Circle(String label, double radius) implements Shape {}

    public interface Pairs {
      void pair(Pair p);

      List<Pair> pairs();
    }
  }

  /** Not null-marked itself: its sealed payload's records are. */
  public interface Shapes {
    void draw(Marked.Shape s);
  }

  private final JsonCodec codec = JsonCodec.defaults();
  private final MessageReader reader =
      new MessageReader(codec, new PayloadValidator(codec.mapper()), true);
  private final Map<String, Bound> routes = new HashMap<>();
  private final Map<String, RouteDescriptor> calls = new HashMap<>();

  private record Bound(RouteDescriptor route) implements MessageReader.Routed {}

  NullnessBindingTest() {
    for (Class<?> contract :
        List.of(Todos.class, Unmarked.class, Marked.Pairs.class, Shapes.class)) {
      for (RouteDescriptor r : Contracts.of(contract).routes()) {
        routes.put(r.route(), new Bound(r));
        calls.put(r.route(), r);
      }
    }
  }

  private static final String TODO =
      "{\"title\":\"t\",\"note\":null,\"tags\":[{\"name\":\"a\"}],\"maybeTags\":[null],"
          + "\"counts\":{\"a\":1},\"aliases\":[\"x\"],\"loose\":{\"name\":null,\"items\":[null]}}";

  @Test
  void underNullMarkedANullIsRefusedAtItsPathUnlessNullable() {
    assertThat(payload("add", TODO)).isInstanceOf(Todo.class);
    assertRefused("add", TODO.replace("\"title\":\"t\"", "\"title\":null"), "title", "string");
    assertRefused("add", TODO.replace("\"title\":\"t\",", ""), "title", "string");
    assertRefused(
        "add", TODO.replace("[{\"name\":\"a\"}]", "[{\"name\":\"a\"},null]"), "tags[1]", "object");
    assertRefused(
        "add", TODO.replace("{\"name\":\"a\"}", "{\"name\":null}"), "tags[0].name", "string");
    assertRefused(
        "add", TODO.replace("\"tags\":[{\"name\":\"a\"}]", "\"tags\":null"), "tags", "array");
    assertRefused("add", TODO.replace("{\"a\":1}", "{\"a\":1,\"b\":null}"), "counts[b]", "integer");
    assertRefused("add", TODO.replace("[\"x\"]", "[\"x\",null]"), "aliases[1]", "string");
    // @Nullable components and elements, and a @NullUnmarked record, take null.
    assertThat(
            payload(
                "add",
                TODO.replace("\"loose\":{\"name\":null,\"items\":[null]}", "\"loose\":null")))
        .isInstanceOf(Todo.class);
    // A class marked by itself.
    assertThat(payload("pair", "{\"left\":\"l\",\"right\":null}")).isNotNull();
    assertRefused("pair", "{\"right\":\"r\"}", "left", "string");
    // A sealed type's values are checked as the records they are.
    assertThat(payload("draw", "{\"kind\":\"circle\",\"label\":\"c\",\"radius\":1}")).isNotNull();
    assertRefused("draw", "{\"kind\":\"circle\",\"radius\":1}", "label", "string");
  }

  @Test
  void aNullMarkedHeaderRecordRefusesAMissingHeader() {
    HeaderBinder<Marked.Who> headers =
        new HeaderBinder<>(
            Marked.Who.class,
            JsonMappers.configureForHeaders(
                JsonMappers.defaultMapper(), dev.zocket.JsonLimits.DEFAULTS),
            new PayloadValidator(codec.mapper()));
    assertThat(headers.bind(Map.of("user", "ann"))).isEqualTo(new Marked.Who("ann", null));
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> headers.bind(Map.of("token", "t")));
    assertThat(e).hasMessage("Invalid headers");
    assertThat(e.details()).containsExactly(new Violation("user", "expected string, got null"));
  }

  @Test
  void withoutNullMarkedNullBindsAsBefore() {
    assertThat(payload("plain", "{\"title\":null,\"items\":[null],\"strict\":\"s\"}"))
        .isEqualTo(new Plain(null, java.util.Arrays.asList((String) null), "s"));
    // @NonNull refuses null anywhere.
    assertRefused("plain", "{\"title\":null,\"items\":[null],\"strict\":null}", "strict", "string");
    assertThat(reply("loose", "[null]")).isEqualTo(java.util.Arrays.asList((String) null));
    assertThat(reply("loose", "null")).isNull();
  }

  @Test
  void aNullMarkedReplyRefusesNullElementsAndANullReply() {
    String todo = TODO;
    assertThat(reply("list", "[" + todo + "]")).asList().hasSize(1);
    assertReplyRefused(
        "list", "[" + todo + ",null]", new Violation("[1]", "expected object, got null"));
    assertReplyRefused("list", "null", new Violation("", "expected array, got null"));
    assertThat(reply("maybe", "[" + todo + ",null]")).asList().hasSize(2);
    assertReplyRefused(
        "pairs", "[{\"left\":null}]", new Violation("[0].left", "expected string, got null"));
  }

  @Test
  void constraintsOnAReplysTypeArgumentsAreChecked() {
    assertThat(reply("all", "[{\"title\":\"a\",\"items\":[],\"strict\":\"s\"}]"))
        .asList()
        .hasSize(1);
    assertReplyRefused(
        "all",
        "[{\"title\":\"a\",\"items\":[],\"strict\":\"s\"},null]",
        new Violation("[1]", "must not be null"));
    assertThat(reply("names", "[\"ab\"]")).asList().containsExactly("ab");
    assertReplyRefused(
        "names", "[\"ab\",\"abc\"]", new Violation("[1]", "size must be between 0 and 2"));
  }

  private Object payload(String route, String json) {
    MessageReader.Message<Bound> m = read("{\"type\":\"" + route + "\",\"payload\":" + json + "}");
    assertThat(m.error()).as(json).isNull();
    return m.payload();
  }

  private void assertRefused(String route, String json, String path, String expected) {
    MessageReader.Message<Bound> m = read("{\"type\":\"" + route + "\",\"payload\":" + json + "}");
    assertThat(m.error()).as(json).isInstanceOf(InvalidPayloadException.class);
    assertThat(m.error()).hasMessage("Invalid payload for " + route);
    assertThat(((InvalidPayloadException) m.error()).details())
        .containsExactly(new Violation(path, "expected " + expected + ", got null"));
  }

  private Object reply(String route, String json) {
    return reader.reply(
        calls.get(route),
        read("{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"payload\":" + json + "}"));
  }

  private void assertReplyRefused(String route, String json, Violation violation) {
    MessageReader.Message<Bound> m =
        read("{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"payload\":" + json + "}");
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> reader.reply(calls.get(route), m));
    assertThat(e).as(json).isNotNull();
    assertThat(e).hasMessage("Invalid payload for the reply to " + route);
    assertThat(e.details()).containsExactly(violation);
  }

  private MessageReader.Message<Bound> read(String frame) {
    byte[] data = frame.getBytes(UTF_8);
    return reader.read(data, 0, data.length, routes::get);
  }
}
