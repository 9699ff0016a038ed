package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.zocket.ContractException;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.internal.ShapesTest.Recursive.Comment;
import dev.zocket.internal.ShapesTest.Recursive.Page;
import dev.zocket.internal.ShapesTest.Recursive.Todo;
import dev.zocket.internal.ShapesTest.Union.Circle;
import dev.zocket.internal.ShapesTest.Union.Shape;
import dev.zocket.internal.ShapesTest.Union.Square;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sealed interfaces of records, recursive records and generic records as payloads: the contract
 * rules, strict binding with paths, validation per subtype, and the nesting limit on recursion.
 */
final class ShapesTest {
  /** The union of the contracts page (docs/contracts.md shows the region). */
  interface Union {
    // region union
    sealed interface Shape permits Circle, Square {}

    @JsonTypeName("circle")
    record Circle(@Positive double radius) implements Shape {}

    @JsonTypeName("square")
    record Square(@Positive double side) implements Shape {}
    // endregion union
  }

  record Drawing(@NotBlank String title, List<@Valid Shape> shapes, @Valid Shape main) {}

  /** The recursive and generic records of the contracts page (docs/contracts.md). */
  interface Recursive {
    // region recursive
    record Comment(@NotBlank String text, List<@Valid Comment> replies) {}

    record Todo(@NotBlank String title, boolean done) {}

    record Page<T>(List<@Valid T> items, int total) {}
    // endregion recursive
  }

  interface Routes {
    void shape(@Valid Shape shape);

    void drawing(Drawing drawing);

    void comment(Comment comment);

    void todos(Page<Todo> page);

    Page<Todo> list();

    Shape biggest();

    void circle(Circle circle);
  }

  private final JsonCodec codec = JsonCodec.defaults();
  private final MessageReader reader =
      new MessageReader(codec, new PayloadValidator(codec.mapper()), true);
  private final Map<String, Bound> routes = new HashMap<>();

  private record Bound(RouteDescriptor route) implements MessageReader.Routed {}

  ShapesTest() {
    Contract contract = Contracts.of(Routes.class);
    codec.checkMappable(contract);
    for (RouteDescriptor r : contract.routes()) {
      routes.put(r.route(), new Bound(r));
    }
  }

  private MessageReader.Message<Bound> read(String route, String payload) {
    byte[] data = ("{\"type\":\"" + route + "\",\"payload\":" + payload + "}").getBytes(UTF_8);
    return reader.read(data, 0, data.length, routes::get);
  }

  private Object bound(String route, String payload) {
    MessageReader.Message<Bound> m = read(route, payload);
    assertThat(m.error()).as(payload).isNull();
    return m.payload();
  }

  private List<Violation> refused(String route, String payload) {
    MessageReader.Message<Bound> m = read(route, payload);
    assertThat(m.error()).as(payload).isInstanceOf(InvalidPayloadException.class);
    return ((InvalidPayloadException) m.error()).details();
  }

  // ------------------------------------------------------------------ sealed interfaces

  @Test
  void aUnionIsBoundByItsTypeIdWhereverTheIdIs() {
    assertThat(bound("shape", "{\"kind\":\"circle\",\"radius\":2}")).isEqualTo(new Circle(2));
    assertThat(bound("shape", "{\"side\":3,\"kind\":\"square\"}")).isEqualTo(new Square(3));
    assertThat(
            bound(
                "drawing",
                "{\"title\":\"t\",\"shapes\":[{\"kind\":\"square\",\"side\":1}],"
                    + "\"main\":{\"radius\":1,\"kind\":\"circle\"}}"))
        .isEqualTo(new Drawing("t", List.of(new Square(1)), new Circle(1)));
  }

  @Test
  void aMissingOrUnknownTypeIdIsRefusedAtTheDiscriminatorsPath() {
    assertThat(refused("shape", "{\"radius\":2}"))
        .containsExactly(new Violation("kind", "expected one of \"circle\", \"square\""));
    assertThat(refused("shape", "{\"kind\":\"triangle\",\"radius\":2}"))
        .containsExactly(
            new Violation("kind", "expected one of \"circle\", \"square\", got \"triangle\""));
    assertThat(
            refused(
                "drawing", "{\"title\":\"t\",\"shapes\":[{\"kind\":\"circle\",\"radius\":1},{}]}"))
        .containsExactly(new Violation("shapes[1].kind", "expected one of \"circle\", \"square\""));
    assertThat(refused("drawing", "{\"title\":\"t\",\"main\":{\"kind\":\"Circle\"}}"))
        .containsExactly(
            new Violation("main.kind", "expected one of \"circle\", \"square\", got \"Circle\""));
  }

  @Test
  void aValueThatIsNotAnObjectIsRefusedWhereTheUnionIs() {
    assertThat(refused("shape", "\"circle\""))
        .containsExactly(new Violation("", "expected object, got string"));
    assertThat(refused("drawing", "{\"title\":\"t\",\"main\":[]}"))
        .containsExactly(new Violation("main", "expected object, got array"));
    assertThat(refused("drawing", "{\"title\":\"t\",\"shapes\":[5]}"))
        .containsExactly(new Violation("shapes[0]", "expected object, got number"));
  }

  @Test
  void eachRecordOfAUnionIsBoundAndValidatedAsItself() {
    assertThat(refused("shape", "{\"kind\":\"circle\",\"radius\":\"2\"}"))
        .containsExactly(new Violation("radius", "expected number, got string"));
    assertThat(refused("shape", "{\"kind\":\"circle\",\"radius\":-1}"))
        .containsExactly(new Violation("radius", "must be greater than 0"));
    assertThat(
            refused(
                "drawing",
                "{\"title\":\"t\",\"shapes\":[{\"kind\":\"square\",\"side\":0}],"
                    + "\"main\":{\"kind\":\"circle\",\"radius\":0}}"))
        .containsExactly(
            new Violation("main.radius", "must be greater than 0"),
            new Violation("shapes[0].side", "must be greater than 0"));
  }

  @Test
  void aRecordOfAUnionOnItsOwnCarriesItsTypeIdToo() {
    assertThat(codec.mapper().writeValueAsString(new Circle(1)))
        .isEqualTo("{\"kind\":\"circle\",\"radius\":1.0}");
    assertThat(bound("circle", "{\"radius\":1,\"kind\":\"circle\"}")).isEqualTo(new Circle(1));
    assertThat(refused("circle", "{\"radius\":1}"))
        .containsExactly(new Violation("kind", "expected \"circle\""));
    assertThat(refused("circle", "{\"kind\":\"square\",\"side\":1}"))
        .containsExactly(new Violation("kind", "expected \"circle\", got \"square\""));
  }

  @Test
  void aUnionIsWrittenWithItsTypeIdFirst() {
    assertThat(codec.mapper().writerFor(Shape.class).writeValueAsString(new Square(2)))
        .isEqualTo("{\"kind\":\"square\",\"side\":2.0}");
    assertThat(codec.mapper().writeValueAsString(new Drawing("t", List.of(new Circle(1)), null)))
        .isEqualTo(
            "{\"title\":\"t\",\"shapes\":[{\"kind\":\"circle\",\"radius\":1.0}],\"main\":null}");
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Cat.class, name = "cat"),
    @JsonSubTypes.Type(value = Dog.class, name = "dog")
  })
  sealed interface Pet permits Cat, Dog {}

  record Cat(String name) implements Pet {}

  record Dog(String name) implements Pet {}

  interface Pets {
    void pet(Pet pet);
  }

  @Test
  void jsonTypeInfoNamesTheDiscriminatorAndJsonSubTypesTheIds() {
    assertThat(SealedUnions.of(Pet.class).discriminator()).isEqualTo("type");
    assertThat(SealedUnions.of(Pet.class).members())
        .containsExactly(
            new SealedUnions.Member("cat", Cat.class), new SealedUnions.Member("dog", Dog.class));
    JsonCodec defaults = JsonCodec.defaults();
    Object dog =
        defaults.mapper().readerFor(Pet.class).readValue("{\"type\":\"dog\",\"name\":\"Rex\"}");
    assertThat(dog).isEqualTo(new Dog("Rex"));
    assertThat(defaults.mapper().writerFor(Pet.class).writeValueAsString(new Cat("Tom")))
        .isEqualTo("{\"type\":\"cat\",\"name\":\"Tom\"}");
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  sealed interface Bare permits BareOne {}

  @JsonTypeName("one")
  record BareOne(int x) implements Bare {}

  @Test
  void jsonTypeInfoWithoutAPropertyKeepsTheDefaultDiscriminator() {
    assertThat(SealedUnions.of(Bare.class).discriminator()).isEqualTo("kind");
    assertThat(codec.mapper().writerFor(Bare.class).writeValueAsString(new BareOne(1)))
        .isEqualTo("{\"kind\":\"one\",\"x\":1}");
    assertThat(codec.mapper().readerFor(Bare.class).<Object>readValue("{\"x\":2,\"kind\":\"one\"}"))
        .isEqualTo(new BareOne(2));
  }

  @JsonSubTypes({@JsonSubTypes.Type(value = Disagrees.class, name = "b")})
  sealed interface Disagreeing permits Disagrees {}

  @JsonTypeName("a")
  record Disagrees(int x) implements Disagreeing {}

  interface SendsDisagreeing {
    void send(Disagreeing d);
  }

  sealed interface NoName permits Nameless {}

  record Nameless(int x) implements NoName {}

  sealed interface NotRecords permits Box, NotRecords.Impl {
    final class Impl implements NotRecords {}
  }

  @JsonTypeName("box")
  record Box(int x) implements NotRecords {}

  @JsonTypeName("same")
  record One(int x) implements Twice {}

  @JsonTypeName("same")
  record Two(int x) implements Twice {}

  sealed interface Twice permits One, Two {}

  @JsonTypeName("clash")
  record Clash(String kind) implements Clashing {}

  sealed interface Clashing permits Clash {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  sealed interface ByClass permits ByClassOne {}

  @JsonTypeName("one")
  record ByClassOne(int x) implements ByClass {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  interface Open {}

  @JsonSubTypes({@JsonSubTypes.Type(value = Listed.class, name = "listed")})
  sealed interface PartlyListed permits Listed, Unlisted {}

  record Listed(int x) implements PartlyListed {}

  @JsonTypeName("unlisted")
  record Unlisted(int x) implements PartlyListed {}

  @JsonTypeName("renamed")
  record Renamed(@JsonProperty("kind") int x) implements RenamesToKind {}

  sealed interface RenamesToKind permits Renamed {}

  interface SendsNoName {
    void send(NoName n);
  }

  interface SendsNotRecords {
    void send(NotRecords n);
  }

  interface SendsTwice {
    void send(Twice n);
  }

  interface SendsClashing {
    void send(List<Clashing> n);
  }

  interface SendsByClass {
    void send(ByClass n);
  }

  interface SendsOpen {
    void send(Open n);
  }

  interface SendsPartlyListed {
    void send(PartlyListed n);
  }

  record HoldsRenamed(RenamesToKind inner) {}

  interface SendsRenamedInside {
    void send(HoldsRenamed n);
  }

  private static String contractError(Class<?> contract) {
    try {
      JsonCodec.defaults().checkMappable(Contracts.of(contract));
    } catch (ContractException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + contract);
  }

  @Test
  void aUnionThatBreaksARuleIsAContractError() {
    assertThat(contractError(SendsNoName.class))
        .isEqualTo(
            "Payload type dev.zocket.internal.ShapesTest$NoName cannot be mapped: Nameless has"
                + " no type id; give it @JsonTypeName(\"...\"), the value of the \"kind\""
                + " property that says a NoName is a Nameless."
                + "\n    for method SendsNoName.send (parameter 'n')");
    assertThat(contractError(SendsNotRecords.class))
        .contains(
            "NotRecords permits Impl, which is not a record; every subtype of a sealed payload"
                + " interface is a record.");
    assertThat(contractError(SendsTwice.class))
        .contains("One and Two have the same type id \"same\" in Twice; give each its own.");
    assertThat(contractError(SendsClashing.class))
        .contains(
            "Clash has a component named \"kind\", which is the discriminator of Clashing;"
                + " rename the component, or name another discriminator with"
                + " @JsonTypeInfo(use = NAME, property = \"...\").");
    assertThat(contractError(SendsByClass.class))
        .contains("@JsonTypeInfo on ByClass must be use = NAME with include = PROPERTY");
    assertThat(contractError(SendsOpen.class))
        .contains(
            "Open has @JsonTypeInfo but is not sealed, so its subtypes are not known. Make it a"
                + " sealed interface whose permitted subtypes are records.");
    assertThat(contractError(SendsPartlyListed.class))
        .contains(
            "@JsonSubTypes on PartlyListed does not list Unlisted, which PartlyListed permits;"
                + " list exactly the permitted records.");
    assertThat(contractError(SendsDisagreeing.class))
        .contains(
            "Disagrees has two type ids, \"a\" (@JsonTypeName) and \"b\" (@JsonSubTypes on"
                + " Disagreeing); keep one.");
    // Found inside a record too.
    assertThat(contractError(SendsRenamedInside.class))
        .isEqualTo(
            "Payload type dev.zocket.internal.ShapesTest$HoldsRenamed cannot be mapped: Renamed"
                + " has a component named \"kind\", which is the discriminator of RenamesToKind;"
                + " rename the component, or name another discriminator with"
                + " @JsonTypeInfo(use = NAME, property = \"...\")."
                + "\n    for method SendsRenamedInside.send (parameter 'n')");
  }

  // ------------------------------------------------------------------ recursive and generic

  @Test
  void aRecursiveRecordIsBoundAndValidatedAtEveryLevel() {
    assertThat(
            bound(
                "comment",
                "{\"text\":\"a\",\"replies\":[{\"text\":\"b\",\"replies\":[{\"text\":\"c\"}]}]}"))
        .isEqualTo(new Comment("a", List.of(new Comment("b", List.of(new Comment("c", null))))));
    assertThat(
            refused(
                "comment",
                "{\"text\":\"a\",\"replies\":[{\"text\":\"b\",\"replies\":[{\"text\":\" \"}]}]}"))
        .containsExactly(new Violation("replies[0].replies[0].text", "must not be blank"));
    assertThat(refused("comment", "{\"text\":\"a\",\"replies\":[{\"replies\":{}}]}"))
        .containsExactly(new Violation("replies[0].replies", "expected array, got object"));
  }

  @Test
  void recursionIsAsDeepAsTheNestingLimitAndADeeperPayloadIsDropped() {
    int depth = 10;
    JsonCodec shallow =
        new JsonCodec(
            JsonMappers.configure(
                JsonMapper.builder().build(), new JsonLimits(depth, 1000, 100, 100)));
    MessageReader limited =
        new MessageReader(shallow, new PayloadValidator(shallow.mapper()), true);
    // The envelope is one level, each comment but the last two (its object, its replies array):
    // five comments are ten levels, six are twelve.
    String within = nested(5);
    String beyond = nested(6);
    byte[] ok = ("{\"type\":\"comment\",\"payload\":" + within + "}").getBytes(UTF_8);
    MessageReader.Message<Bound> m = limited.read(ok, 0, ok.length, routes::get);
    assertThat(m.error()).isNull();
    assertThat(m.payload()).isInstanceOf(Comment.class);
    byte[] deep = ("{\"type\":\"comment\",\"payload\":" + beyond + "}").getBytes(UTF_8);
    // Beyond the limit the frame is not a protocol envelope: dropped, as any frame past a limit.
    assertThat(limited.read(deep, 0, deep.length, routes::get)).isNull();
    assertThatThrownBy(
            () -> shallow.mapper().readValue(beyond, Comment.class),
            "Jackson's own words for what the reader drops")
        .hasMessageContaining("Document nesting depth (11) exceeds the maximum allowed (10");
  }

  private static String nested(int levels) {
    String json = "{\"text\":\"leaf\"}";
    for (int i = 1; i < levels; i++) {
      json = "{\"text\":\"t\",\"replies\":[" + json + "]}";
    }
    return json;
  }

  @Test
  void aGenericRecordIsBoundWithItsTypeArgument() {
    assertThat(bound("todos", "{\"items\":[{\"title\":\"a\",\"done\":true}],\"total\":1}"))
        .isEqualTo(new Page<>(List.of(new Todo("a", true)), 1));
    assertThat(refused("todos", "{\"items\":[{\"title\":\"a\",\"done\":\"yes\"}],\"total\":1}"))
        .containsExactly(new Violation("items[0].done", "expected boolean, got string"));
    assertThat(refused("todos", "{\"items\":[{\"title\":\"\",\"done\":true}],\"total\":1}"))
        .containsExactly(new Violation("items[0].title", "must not be blank"));
  }
}
