package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import jakarta.validation.GroupSequence;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
import jakarta.validation.constraints.AssertFalse;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

/**
 * A direct check passes exactly the values Hibernate Validator finds nothing wrong with: every
 * combination of edge values, checked both ways.
 */
final class DirectChecksTest {
  record Texts(
      @NotBlank String blank, @NotEmpty String empty, @Size(min = 2, max = 4) String size) {}

  record Patterned(
      @Pattern(regexp = "[a-z]+") String lower,
      @Pattern(
              regexp = "ab.d",
              flags = {Pattern.Flag.CASE_INSENSITIVE, Pattern.Flag.DOTALL})
          String flagged) {}

  record Numbers(
      @Min(-3) @Max(5) int bounded,
      @Positive Long positive,
      @PositiveOrZero short orZero,
      @Negative Byte negative,
      @NegativeOrZero long notPositive) {}

  record Flags(@AssertTrue boolean yes, @AssertFalse Boolean no, @NotNull Boolean present) {}

  record Sizes(
      @NotEmpty List<String> list,
      @Size(max = 2) Map<String, String> map,
      @Size(min = 1) Set<Integer> set) {}

  sealed interface Shape permits Circle, Square {}

  record Circle(@Positive int radius) implements Shape {}

  record Square(@Min(2) int side) implements Shape {}

  record Unconstrained(String any) {}

  record Nested(
      @Valid @NotNull Texts texts,
      @Valid List<Flags> flags,
      @Valid Shape shape,
      @Valid Unconstrained free,
      Set<@Valid Square> squares) {}

  record WithEmail(@Email String mail) {}

  record WithDecimal(@DecimalMin("1") int n) {}

  record WithDoubleMin(@Min(1) double d) {}

  record WithElements(List<@NotBlank String> tags) {}

  record WithArray(@Size(max = 2) String[] names) {}

  interface Strict {}

  record WithGroup(@NotBlank(groups = Strict.class) String name) {}

  @GroupSequence({WithSequence.class, Strict.class})
  record WithSequence(@NotBlank String name) {}

  record WithOpaqueNested(@Valid WithEmail inner) {}

  private static final Validator HV = PayloadValidator.factory().getValidator();

  private static final List<String> TEXTS =
      Arrays.asList(
          null, "", " ", "\u2003", "\u00a0", "a", "ab", " ab ", "abcd", "abcde", "\ud834\udd1e");

  private final Map<Class<?>, DirectChecks> made = new HashMap<>();

  private DirectChecks checks(Class<?> type) {
    return made.computeIfAbsent(
        type,
        t ->
            DirectChecks.of(
                t,
                HV.getConstraintsForClass(t),
                v -> {
                  if (!HV.getConstraintsForClass(v.getClass()).isBeanConstrained()) {
                    return true;
                  }
                  DirectChecks d = checks(v.getClass());
                  return d != null && d.holds(v);
                }));
  }

  private void sameAsTheValidator(List<?> values) {
    List<String> differ = new ArrayList<>();
    int failing = 0;
    for (Object v : values) {
      DirectChecks d = checks(v.getClass());
      assertThat(d).as("direct checks of %s", v.getClass().getSimpleName()).isNotNull();
      boolean valid = HV.validate(v).isEmpty();
      failing += valid ? 0 : 1;
      if (d.holds(v) != valid) {
        differ.add(v + (valid ? " is valid" : " is invalid"));
      }
    }
    assertThat(differ).as("values judged otherwise than by Hibernate Validator").isEmpty();
    // Both kinds of values were among them.
    assertThat(failing).isBetween(1, values.size() - 1);
  }

  @Test
  void textsAsTheValidatorJudgesThem() {
    List<Texts> values = new ArrayList<>();
    for (String a : TEXTS) {
      for (String b : TEXTS) {
        for (String c : TEXTS) {
          values.add(new Texts(a, b, c));
        }
      }
    }
    sameAsTheValidator(values);
  }

  @Test
  void patternsAsTheValidatorJudgesThem() {
    List<Patterned> values = new ArrayList<>();
    List<String> flagged = new ArrayList<>(TEXTS);
    flagged.addAll(List.of("abcd", "ABXD", "ab\nd", "abcde", "xabcd"));
    for (String a : TEXTS) {
      for (String b : flagged) {
        values.add(new Patterned(a, b));
      }
    }
    sameAsTheValidator(values);
  }

  @Test
  void numbersAsTheValidatorJudgesThem() {
    List<Numbers> values = new ArrayList<>();
    int[] ints = {Integer.MIN_VALUE, -4, -3, 0, 5, 6, Integer.MAX_VALUE};
    Long[] longs = {null, Long.MIN_VALUE, -1L, 0L, 1L, Long.MAX_VALUE};
    short[] shorts = {Short.MIN_VALUE, -1, 0, 1};
    Byte[] bytes = {null, Byte.MIN_VALUE, -1, 0, 1};
    long[] plain = {Long.MIN_VALUE, -1, 0, 1};
    for (int i : ints) {
      for (Long l : longs) {
        for (short s : shorts) {
          for (Byte b : bytes) {
            for (long n : plain) {
              values.add(new Numbers(i, l, s, b, n));
            }
          }
        }
      }
    }
    sameAsTheValidator(values);
  }

  @Test
  void flagsAndSizesAsTheValidatorJudgesThem() {
    List<Object> values = new ArrayList<>();
    for (boolean yes : new boolean[] {true, false}) {
      for (Boolean no : Arrays.asList(null, true, false)) {
        for (Boolean present : Arrays.asList(null, true)) {
          values.add(new Flags(yes, no, present));
        }
      }
    }
    List<List<String>> lists = Arrays.asList(null, List.of(), List.of("x"), List.of("", ""));
    List<Map<String, String>> maps =
        Arrays.asList(
            null, Map.of(), Map.of("a", "1", "b", "2"), Map.of("a", "", "b", "", "c", ""));
    List<Set<Integer>> sets = Arrays.asList(null, Set.of(), Set.of(1), Set.of(1, 2, 3));
    for (List<String> l : lists) {
      for (Map<String, String> m : maps) {
        for (Set<Integer> s : sets) {
          values.add(new Sizes(l, m, s));
        }
      }
    }
    sameAsTheValidator(values);
  }

  @Test
  void valuesReachedThroughValidAsTheValidatorJudgesThem() {
    List<Nested> values = new ArrayList<>();
    List<Texts> texts = Arrays.asList(null, new Texts("a", "b", "cd"), new Texts(" ", "b", "cd"));
    List<List<Flags>> flags =
        Arrays.asList(
            null,
            List.of(),
            List.of(new Flags(true, false, true)),
            Arrays.asList(new Flags(true, false, true), null, new Flags(false, false, true)));
    List<Shape> shapes =
        Arrays.asList(null, new Circle(1), new Circle(0), new Square(2), new Square(1));
    for (Texts t : texts) {
      for (List<Flags> f : flags) {
        for (Shape s : shapes) {
          values.add(new Nested(t, f, s, new Unconstrained(null), Set.of(new Square(2))));
          values.add(new Nested(t, f, s, null, Set.of(new Square(3), new Square(1))));
        }
      }
    }
    sameAsTheValidator(values);
  }

  @Test
  void otherConstraintsGroupsAndPlacesAreLeftToTheValidator() {
    Function<Class<?>, DirectChecks> of =
        t -> DirectChecks.of(t, HV.getConstraintsForClass(t), v -> true);
    assertThat(of.apply(WithEmail.class)).isNull();
    assertThat(of.apply(WithDecimal.class)).isNull();
    assertThat(of.apply(WithDoubleMin.class)).isNull();
    assertThat(of.apply(WithElements.class)).isNull();
    assertThat(of.apply(WithArray.class)).isNull();
    assertThat(of.apply(WithGroup.class)).isNull();
    assertThat(of.apply(WithSequence.class)).isNull();
    // A @Valid record without direct checks of its own fails them: the validator decides.
    assertThat(checks(WithOpaqueNested.class).holds(new WithOpaqueNested(new WithEmail("a@b.c"))))
        .isFalse();
  }

  @Test
  void aServersValidatorChecksItsRecordsDirectlyAndReportsWhatTheValidatorFinds() {
    TypeFactory types = JsonCodec.defaults().mapper().getTypeFactory();
    List<JavaType> roots =
        List.of(types.constructType(Texts.class), types.constructType(WithEmail.class));
    PayloadValidator validator =
        PayloadValidator.forTypes(JsonCodec.defaults().mapper(), null, roots);
    assertThat(validator.checksDirectly(Texts.class)).isTrue();
    assertThat(validator.checksDirectly(WithEmail.class)).isFalse();
    // Zocket's own validator without a scope (as a client's): records are checked directly too.
    assertThat(new PayloadValidator(JsonCodec.defaults().mapper()).checksDirectly(Texts.class))
        .isTrue();
    assertThat(new PayloadValidator(JsonCodec.defaults().mapper()).checksDirectly(WithEmail.class))
        .isFalse();
    // An application's own validator is used as it is.
    assertThat(new PayloadValidator(JsonCodec.defaults().mapper(), HV).checksDirectly(Texts.class))
        .isFalse();
    validator.validate("x", new Texts("a", "b", "cd"));
    assertThat(
            catchThrowableOfType(
                    InvalidPayloadException.class,
                    () -> validator.validate("x", new Texts(" ", "b", "cd")))
                .details())
        .containsExactly(new Violation("blank", "must not be blank"));
  }
}
