package dev.zocket.typescript;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.zocket.Namespace;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * A contract with sealed interfaces of records (one with the default discriminator, one with
 * {@code @JsonTypeInfo} and {@code @JsonSubTypes}), a union that contains itself, a recursive
 * record and a generic record used with two type arguments.
 */
final class Shapes {
  private Shapes() {}

  /** The default discriminator, {@code kind}; the type ids from {@code @JsonTypeName}. */
  public sealed interface Shape permits Circle, Square, Group {}

  @JsonTypeName("circle")
  public record Circle(@Positive double radius) implements Shape {}

  @JsonTypeName("square")
  public record Square(@Positive double side, String label) implements Shape {}

  /** A shape made of shapes: the union contains itself. */
  @JsonTypeName("group")
  public record Group(@NotEmpty List<@NotNull @Valid Shape> shapes) implements Shape {}

  /** The discriminator and the type ids from Jackson's annotations on the interface. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Cat.class, name = "cat"),
    @JsonSubTypes.Type(value = Dog.class, name = "dog")
  })
  public sealed interface Pet permits Cat, Dog {}

  public record Cat(@NotBlank String name, int lives) implements Pet {}

  public record Dog(@NotBlank String name, boolean good) implements Pet {}

  /** A tree of comments. */
  public record Comment(@NotBlank String text, List<@Valid Comment> replies) {}

  public enum Priority {
    LOW,
    HIGH
  }

  public record Todo(@NotBlank String title, boolean done, Priority priority) {}

  public record Page<T>(@NotNull List<@Valid T> items, @PositiveOrZero int total) {}

  /**
   * A recursive record with a component of every kind, whose TypeScript type the generator writes
   * out (the type test checks it against zod's).
   */
  public record Menu(
      @NotBlank String label,
      Map<String, @Valid Menu> byName,
      Map<Priority, List<@Valid Menu>> byPriority,
      Set<@Valid Menu> set,
      JsonNode meta,
      Object any,
      Instant at,
      @JsonFormat(pattern = "yyyy-MM-dd") LocalDate day,
      UUID id,
      byte[] icon,
      int[] numbers,
      Character initial,
      Long big,
      Boolean flag,
      Priority priority,
      @Valid Shape shape) {}

  /** Everything at once, for the parity test. */
  public record Board(
      @NotNull @Valid Shape main,
      List<@Valid Shape> shapes,
      @Valid Comment thread,
      @Valid Page<Todo> todos,
      @Valid Page<String> tags,
      @Valid Pet pet) {}

  @Namespace("shapes")
  public interface Boards {
    void draw(Board board);

    CompletableFuture<Page<Todo>> todos(Shape near);

    Comment thread(String id);

    Pet adopt(String name);

    void menu(Menu menu);
  }
}
