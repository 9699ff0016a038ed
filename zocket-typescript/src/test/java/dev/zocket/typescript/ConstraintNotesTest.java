package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.Pattern;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A constraint zod cannot express does not stop the generation: the schema checks everything else
 * and a comment next to the component names it, unless the generation is strict. And the
 * constraints now translated, and those written on a reply's type arguments.
 */
class ConstraintNotesTest {
  /** A custom constraint: only the server can check it. */
  @Target({ElementType.FIELD, ElementType.METHOD, ElementType.TYPE_USE, ElementType.TYPE})
  @Retention(RetentionPolicy.RUNTIME)
  @Constraint(validatedBy = Isbn.Check.class)
  public @interface Isbn {
    String message() default "must be an ISBN";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Thirteen digits. */
    final class Check implements ConstraintValidator<Isbn, Object> {
      @Override
      public boolean isValid(Object value, ConstraintValidatorContext context) {
        return value == null || value.toString().matches("\\d{13}");
      }
    }
  }

  /** A constraint composed of one zod can express and one it cannot. */
  @Target({ElementType.FIELD, ElementType.METHOD})
  @Retention(RetentionPolicy.RUNTIME)
  @Constraint(validatedBy = {})
  @NotBlank
  @Pattern(regexp = "a++")
  public @interface Code {
    String message() default "must be a code";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
  }

  public interface Books {
    void add(Book b);

    CompletableFuture<List<@Isbn String>> isbns();
  }

  public interface Single {
    void add(Book b);
  }

  private static String generate(boolean strict, Class<?>... routes) {
    return TypeScriptGenerator.builder().routes(routes).strict(strict).build().generate();
  }

  @Test
  void aConstraintZodCannotExpressIsNotedNextToItsComponent() {
    String module = generate(false, Books.class);
    assertThat(module)
        .contains(
            "export const Book = z.object({\n"
                + "  // not checked here: @Isbn on the class (enforced by the server)\n"
                + "  isbn: z.string().nullish(), // not checked here: @Isbn (enforced by the"
                + " server)\n"
                + "  others: z.array(z.string().nullable()).nullish(), // not checked here: @Isbn"
                + " (enforced by the server)\n"
                + "  code: z.string().nullish(), // not checked here: @Isbn, @Pattern (enforced by"
                + " the server)\n")
        .contains("  title: z.string().nullish(),\n")
        .contains("  series: z.string().regex(/[^\\t\\n")
        .contains(
            ", \"must not be blank\"), // not checked here: @Code's @Pattern (enforced by the"
                + " server)\n")
        .contains(
            "isbns: { kind: \"call\", reply: z.array(z.string().nullable()) /* not checked here:"
                + " @Isbn (enforced by the server) */ }");
    // A date written with a pattern of its own is not compared with the clock here.
    assertThat(module)
        .containsPattern(
            "  printed: z\\.string\\(\\)\\.regex\\(.*\\)\\.nullish\\(\\), // not checked here:"
                + " @Past \\(enforced by the server\\)\n");
  }

  @Test
  void aStrictGenerationFailsOnIt() {
    assertThatThrownBy(() -> generate(true, Single.class))
        .isInstanceOf(GenerationException.class)
        .hasMessage(
            "Book: constraints on the class itself (@Isbn) have no zod form; put them on its"
                + " components");
  }

  /** The same record without the class-level constraint. */
  public record Plain(@Isbn String isbn) {}

  public interface Plains {
    void add(Plain p);
  }

  @Test
  void theCommandLineAndTheBuilderAreStrictOnlyWhenAsked(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> generate(true, Plains.class))
        .isInstanceOf(GenerationException.class)
        .hasMessageStartingWith("Plain.isbn: @Isbn has no zod equivalent (supported: ");
    Path file = dir.resolve("plains.ts");
    String[] args = {"--routes", Plains.class.getName(), "--out", file.toString()};
    assertThat(main(args)).isEqualTo("0 Wrote " + file + "\n");
    assertThat(Files.readString(file))
        .contains(
            "  isbn: z.string().nullish(), // not checked here: @Isbn (enforced by the server)");
    Files.delete(file);
    String[] strict = {"--routes", Plains.class.getName(), "--out", file.toString(), "--strict"};
    assertThat(main(strict))
        .startsWith("2 zocket-typescript: Plain.isbn: @Isbn has no zod equivalent (supported: ");
    assertThat(file).doesNotExist();
  }

  @Test
  void pastAndDigitsAreTranslated() {
    assertThat(generate(true, TypeScriptGeneratorTest.UsesPast.class))
        .contains(
            "  at: z.iso.datetime({ offset: true }).refine((t) => instantMillis(t) < Date.now(),"
                + " \"must be a past date\").nullish(),")
        .contains("function instantMillis(s: string): number {");
  }

  @Test
  void theConstraintsAndNullnessOfAReplysTypeArgumentsAreItsSchemas() {
    String module = generate(true, Planner.Lists.class, Planner.Plans.class);
    assertThat(module)
        .contains("steps: { kind: \"call\", reply: z.array(Step) },")
        .contains(
            "names: { kind: \"call\", reply: z.array(z.string().max(2, \"size must be between 0"
                + " and 2\").nullable()) },")
        .contains("plain: { kind: \"call\", reply: z.array(z.string().nullable()) },")
        .contains("all: { kind: \"call\", reply: z.array(Plan) },")
        .contains("some: { kind: \"call\", reply: z.array(Plan.nullable()) },");
  }

  /** The exit code and what the command line printed. */
  private static String main(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int code = Main.run(args, print, print);
    return code + " " + out.toString(StandardCharsets.UTF_8);
  }

  // region book
  @Isbn // a custom constraint, on the class and on components
  public record Book(
      @Isbn String isbn,
      List<@Isbn String> others,
      @Pattern(regexp = "a++") @Isbn String code,
      @Past @JsonFormat(pattern = "dd.MM.yyyy") LocalDate printed,
      String title,
      @Code String series) {}
  // endregion book
}
