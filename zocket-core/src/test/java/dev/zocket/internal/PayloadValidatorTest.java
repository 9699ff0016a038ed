package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

final class PayloadValidatorTest {
  record JoinRoom(@NotBlank @Size(max = 64) String roomId) {}

  record Item(@NotBlank String name, @Min(1) int quantity) {}

  record Address(@NotBlank String city) {}

  record Customer(@NotBlank String name, @Valid @NotNull Address address) {}

  record Order(@Valid @NotNull Customer customer, @Size(min = 1) List<@Valid Item> items) {}

  record Tagged(@Size(max = 2) List<@NotBlank @Size(max = 5) String> tags) {}

  record Inventory(Map<String, @Valid Item> byId) {}

  record Renamed(@JsonProperty("user-name") @NotBlank String userName, @Valid Address home) {}

  record Range(@Min(0) @Max(10) int value) {}

  record Weight(
      @DecimalMin(value = "0.5", inclusive = false) @DecimalMax("100") double kilos,
      @DecimalMin("1") @DecimalMax(value = "2", inclusive = false) double metres) {}

  private final PayloadValidator validator = new PayloadValidator(JsonCodec.defaults().mapper());

  @Test
  void validPayloadPasses() {
    validator.validate("rooms.join", new JoinRoom("general"));
    validator.validate("x", null);
    validator.validate("x", "a string");
    validator.validate("x", List.of(new JoinRoom("a")));
  }

  @Test
  void decimalBoundsSayWhetherTheyAreInclusive() {
    // Hibernate Validator's own messages choose the words with an expression, which was sent as is.
    assertThat(violations(new Weight(0.5, 2)))
        .containsExactly(
            new Violation("kilos", "must be greater than 0.5"),
            new Violation("metres", "must be less than 2"));
    assertThat(violations(new Weight(100.5, 0.5)))
        .containsExactly(
            new Violation("kilos", "must be less than or equal to 100"),
            new Violation("metres", "must be greater than or equal to 1"));
  }

  @Test
  void messagesWithoutExpressionLanguage() {
    assertThatThrownBy(() -> Class.forName("jakarta.el.ExpressionFactory"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(violations(new JoinRoom(" ")))
        .containsExactly(new Violation("roomId", "must not be blank"));
    assertThat(violations(new JoinRoom("x".repeat(65))))
        .containsExactly(new Violation("roomId", "size must be between 0 and 64"));
    assertThat(violations(new Range(11)))
        .containsExactly(new Violation("value", "must be less than or equal to 10"));
  }

  @Test
  void exceptionMessageNamesThePayload() {
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class,
            () -> validator.validate("rooms.join", new JoinRoom("")));
    assertThat(e).hasMessage("Invalid payload for rooms.join");
    assertThat(e.code()).isEqualTo("INVALID_PAYLOAD");
  }

  @Test
  void nestedRecordsAndListsOfRecords() {
    Order order =
        new Order(
            new Customer("", new Address(" ")),
            List.of(new Item("a", 1), new Item("", 0), new Item("c", 2)));
    assertThat(violations(order))
        .containsExactly(
            new Violation("customer.address.city", "must not be blank"),
            new Violation("customer.name", "must not be blank"),
            new Violation("items[1].name", "must not be blank"),
            new Violation("items[1].quantity", "must be greater than or equal to 1"));
  }

  @Test
  void nullNestedRecordAndEmptyList() {
    assertThat(violations(new Order(null, List.of())))
        .containsExactly(
            new Violation("customer", "must not be null"),
            new Violation("items", "size must be between 1 and 2147483647"));
  }

  @Test
  void containerElementConstraints() {
    assertThat(violations(new Tagged(List.of("", "ok", "toolong"))))
        .containsExactly(
            new Violation("tags", "size must be between 0 and 2"),
            new Violation("tags[0]", "must not be blank"),
            new Violation("tags[2]", "size must be between 0 and 5"));
  }

  @Test
  void maps() {
    Map<String, Item> byId = new LinkedHashMap<>();
    byId.put("b", new Item("", 1));
    byId.put("a", new Item("x", 0));
    assertThat(violations(new Inventory(byId)))
        .containsExactly(
            new Violation("byId[a].quantity", "must be greater than or equal to 1"),
            new Violation("byId[b].name", "must not be blank"));
  }

  @Test
  void jsonPropertyNames() {
    assertThat(violations(new Renamed("", new Address(""))))
        .containsExactly(
            new Violation("home.city", "must not be blank"),
            new Violation("user-name", "must not be blank"));
  }

  @Test
  void topLevelCollectionsAreValidatedElementByElement() {
    assertThat(violations(List.of(new JoinRoom("a"), new JoinRoom(""))))
        .containsExactly(new Violation("[1].roomId", "must not be blank"));
    assertThat(violations(Set.of(new JoinRoom(""))))
        .containsExactly(new Violation("[0].roomId", "must not be blank"));
    assertThat(violations(Map.of("k", new JoinRoom(""))))
        .containsExactly(new Violation("[k].roomId", "must not be blank"));
    assertThat(violations(new JoinRoom[] {new JoinRoom(""), null}))
        .containsExactly(new Violation("[0].roomId", "must not be blank"));
  }

  @Test
  void orderIsSortedAndDeterministic() {
    Order order =
        new Order(
            new Customer("", new Address("")),
            List.of(new Item("", 0), new Item("", 0), new Item("", 0)));
    List<Violation> first = violations(order);
    assertThat(first)
        .isSortedAccordingTo(
            (a, b) ->
                a.path().equals(b.path())
                    ? a.message().compareTo(b.message())
                    : a.path().compareTo(b.path()));
    for (int i = 0; i < 20; i++) {
      assertThat(violations(order)).isEqualTo(first);
    }
  }

  @Test
  void headersAreReportedAsInvalidHeaders() {
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> validator.validateHeaders(new JoinRoom("")));
    assertThat(e).hasMessage("Invalid headers");
    assertThat(e.details()).containsExactly(new Violation("roomId", "must not be blank"));
  }

  @Test
  void isConstrained() {
    TypeFactory t = TypeFactory.createDefaultInstance();
    assertThat(PayloadValidator.isConstrained(t.constructType(JoinRoom.class))).isTrue();
    assertThat(PayloadValidator.isConstrained(t.constructType(Tagged.class))).isTrue();
    assertThat(PayloadValidator.isConstrained(t.constructType(Inventory.class))).isTrue();
    assertThat(PayloadValidator.isConstrained(t.constructCollectionType(List.class, Item.class)))
        .isTrue();
    assertThat(
            PayloadValidator.isConstrained(t.constructMapType(Map.class, String.class, Item.class)))
        .isTrue();
    assertThat(PayloadValidator.isConstrained(t.constructType(String.class))).isFalse();
    assertThat(PayloadValidator.isConstrained(t.constructType(int.class))).isFalse();
    assertThat(PayloadValidator.isConstrained(t.constructCollectionType(List.class, String.class)))
        .isFalse();
    record Free(String text) {}
    assertThat(PayloadValidator.isConstrained(t.constructType(Free.class))).isFalse();
  }

  sealed interface Shape permits Circle, Square {}

  record Circle(@Min(1) int radius) implements Shape {}

  record Square(@Min(1) int side, @Valid Address label) implements Shape {}

  record Drawing(@NotBlank String title, @Valid List<Shape> shapes) {}

  record Tree(@NotBlank String name, @Valid List<Tree> children) {}

  /** Holds a value of any class: out of the predefined scope, validated as before. */
  record Anything(@Valid Object inner) {}

  /** Reached by no known type's declared types: only as a value of Anything's. */
  record Hidden(@NotBlank String text) {}

  interface Named {}

  record Plain(@Valid Named named) {}

  record Page<T>(@Valid List<T> items) {}

  enum Size2 {
    SMALL,
    LARGE
  }

  enum Shaped {
    ROUND {
      @Override
      int corners() {
        return 0;
      }
    };

    abstract int corners();
  }

  record Sized(Size2 size) {}

  /** A constraint made of built-in ones only: a scoped validator must know those too. */
  @NotBlank
  @Size(max = 5)
  @Constraint(validatedBy = {})
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
  @Retention(RetentionPolicy.RUNTIME)
  @interface ShortName {
    String message() default "not a short name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
  }

  record Nick(@ShortName String nick, Map<@Email String, @Valid Item> byMail) {}

  record WithShaped(Shaped shaped) {}

  record Box(@Valid Page<Item> page) {}

  @Test
  void theScopeHoldsOnlyTypesWhoseValuesAreAllOfKnownClasses() {
    TypeFactory t = TypeFactory.createDefaultInstance();
    List<JavaType> roots = types(Order.class, Drawing.class, Tree.class, Box.class, Sized.class);
    roots.add(t.constructMapType(Map.class, String.class, Range.class));
    assertThat(ValidationScope.of(t, roots))
        .containsExactlyInAnyOrder(
            Order.class,
            Customer.class,
            Address.class,
            Item.class,
            Drawing.class,
            Circle.class,
            Square.class,
            Tree.class,
            Box.class,
            Page.class,
            Sized.class,
            Size2.class,
            Range.class);
    assertThat(
            ValidationScope.of(
                t,
                types(
                    Anything.class,
                    Plain.class,
                    Page.class,
                    WithShaped.class,
                    Object.class,
                    CharSequence.class)))
        .isEmpty();
  }

  @Test
  void aValidatorMadeForKnownTypesFindsWhatZocketsOwnFinds() {
    PayloadValidator known =
        PayloadValidator.forTypes(
            JsonCodec.defaults().mapper(),
            null,
            types(
                Order.class,
                Inventory.class,
                Tagged.class,
                Renamed.class,
                Weight.class,
                Drawing.class,
                Tree.class,
                Nick.class,
                Anything.class));
    List<Object> invalid =
        List.of(
            new Order(new Customer(" ", new Address("")), List.of(new Item("a", 0))),
            new Order(null, List.of()),
            new Inventory(Map.of("x", new Item("", 1))),
            new Tagged(List.of("a", "", "toolong")),
            new Renamed("", new Address(" ")),
            new Weight(0.5, 2),
            new Drawing("", List.of(new Circle(0), new Square(0, new Address("")))),
            new Tree("root", List.of(new Tree("", List.of(new Tree(" ", List.of()))))),
            new Nick("toolong", Map.of("not a mail", new Item("", 1))),
            new Nick(" ", Map.of()),
            // Out of the scope (a value of any class): checked by Zocket's own factory.
            new Anything(new Hidden("")),
            // Not among the known types at all.
            new JoinRoom(""),
            List.of(new Range(11), new Item("", 0)));
    for (Object payload : invalid) {
      assertThat(violations(known, payload)).isEqualTo(violations(validator, payload));
    }
    assertThat(violations(known, new Anything(new Hidden(""))))
        .containsExactly(new Violation("inner.text", "must not be blank"));
    known.validate("valid", new Drawing("d", List.of(new Circle(1), new Square(2, null))));
  }

  @Test
  void aScopedValidatorIsToldEveryConstraintItsClassesUse() {
    // Hibernate Validator 8 initializes only the built-in constraints it is given.
    assertThat(PayloadValidator.constraintsOf(Set.of(Nick.class, Item.class)))
        .containsExactlyInAnyOrder(
            ShortName.class.getName(),
            NotBlank.class.getName(),
            Size.class.getName(),
            Email.class.getName(),
            Min.class.getName());
  }

  @Test
  void anApplicationsValidatorChecksEveryPayload() {
    jakarta.validation.Validator own = PayloadValidator.factory().getValidator();
    PayloadValidator known =
        PayloadValidator.forTypes(JsonCodec.defaults().mapper(), own, types(JoinRoom.class));
    assertThat(violations(known, new JoinRoom("")))
        .containsExactly(new Violation("roomId", "must not be blank"));
  }

  private static List<JavaType> types(Class<?>... classes) {
    TypeFactory t = TypeFactory.createDefaultInstance();
    List<JavaType> types = new ArrayList<>();
    for (Class<?> c : classes) {
      types.add(t.constructType(c));
    }
    return types;
  }

  private List<Violation> violations(Object payload) {
    return violations(validator, payload);
  }

  private static List<Violation> violations(PayloadValidator validator, Object payload) {
    InvalidPayloadException e =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> validator.validate("test", payload));
    assertThat(e).as("violations of %s", payload).isNotNull();
    return e.details();
  }
}
