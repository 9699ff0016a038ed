package dev.zocket.typescript;

import dev.zocket.Namespace;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.FutureOrPresent;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.NullUnmarked;
import org.jspecify.annotations.Nullable;

/**
 * A null-marked contract with dates in the past and the future and digit counts: what the parity
 * and type tests of JSpecify nullness and the newly translated constraints use.
 */
@NullMarked
final class Planner {
  private Planner() {}

  public record Step(String name, @Nullable String note) {}

  public record Plan(
      String title,
      @Nullable String subtitle,
      List<@Valid Step> steps,
      List<@Nullable String> tags,
      Map<String, Integer> counts,
      String[] aliases,
      @Past Instant created,
      @Future @Nullable LocalDate due,
      @PastOrPresent LocalDateTime started,
      @FutureOrPresent @Nullable OffsetDateTime review,
      @Digits(integer = 3, fraction = 2) @Nullable Double price,
      @Digits(integer = 2, fraction = 0) int count,
      @Digits(integer = 4, fraction = 1) @Nullable String code) {}

  /** Opts out again: null is a value, as without JSpecify. */
  @NullUnmarked
  public record Loose(String name, List<String> items) {}

  @Namespace("planner")
  public interface Plans {
    void save(Plan plan);

    CompletableFuture<List<Plan>> all();

    List<@Nullable Plan> some();

    Loose loose();
  }

  /** Not null-marked: the constraints written on the reply's type arguments decide. */
  @NullUnmarked
  @Namespace("lists")
  public interface Lists {
    CompletableFuture<List<@NotNull Step>> steps();

    List<@Size(max = 2) String> names();

    List<String> plain();
  }
}
