package dev.zocket.typescript.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.io.File;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal with a contract that has a constraint zod cannot express: noted, or fatal if strict. */
class GenerateMojoTest {
  /** A custom constraint: only the server can check it. */
  @Target({ElementType.METHOD, ElementType.FIELD})
  @Retention(RetentionPolicy.RUNTIME)
  @Constraint(validatedBy = Isbn.Check.class)
  public @interface Isbn {
    String message() default "must be an ISBN";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Thirteen digits. */
    final class Check implements ConstraintValidator<Isbn, String> {
      @Override
      public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || value.matches("\\d{13}");
      }
    }
  }

  public record Book(@Isbn String isbn, String title) {}

  public interface Books {
    void add(Book b);
  }

  @Test
  void aConstraintZodCannotExpressIsNotedUnlessStrict(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("books.ts");
    mojo(file, false).execute();
    assertThat(Files.readString(file))
        .contains(
            "  isbn: z.string().nullish(), // not checked here: @Isbn (enforced by the server)")
        .contains("  title: z.string().nullish(),");

    Path strictFile = dir.resolve("strict.ts");
    assertThatThrownBy(() -> mojo(strictFile, true).execute())
        .isInstanceOf(MojoFailureException.class)
        .hasMessageStartingWith("Book.isbn: @Isbn has no zod equivalent (supported: ");
    assertThat(strictFile).doesNotExist();
  }

  /** The goal as Maven would configure it, with this module's test classes as the project's. */
  private static GenerateMojo mojo(Path file, boolean strict) throws Exception {
    String classes = Path.of("target", "test-classes").toAbsolutePath().toString();
    MavenProject project =
        new MavenProject() {
          @Override
          public List<String> getCompileClasspathElements() {
            return List.of(classes);
          }
        };
    GenerateMojo mojo = new GenerateMojo();
    set(mojo, "project", project);
    set(mojo, "routes", List.of(Books.class.getName()));
    set(mojo, "outputFile", new File(file.toString()));
    set(mojo, "strict", strict);
    return mojo;
  }

  private static void set(GenerateMojo mojo, String name, Object value) throws Exception {
    Field f = GenerateMojo.class.getDeclaredField(name);
    f.setAccessible(true);
    f.set(mojo, value);
  }
}
