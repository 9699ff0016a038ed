package dev.zocket.typescript;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.CallTimeout;
import dev.zocket.Namespace;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** A contract that uses every kind of type and constraint the generator supports. */
final class Shop {
  private Shop() {}

  public enum Color {
    RED,
    GREEN
  }

  public record Item(@NotBlank String name, @Min(1) @Max(99) int qty) {}

  public record Order(
      @NotNull @Size(min = 2, max = 8) String id,
      @Email String email,
      @Pattern(regexp = "[A-Z]{2}\\d{3}") String code,
      @NotEmpty List<@Valid Item> items,
      @Positive Integer priority,
      @DecimalMin(value = "0.5", inclusive = false) @DecimalMax("100") double weight,
      Color color,
      Map<String, @NotBlank String> tags,
      byte level,
      boolean gift,
      Instant at,
      LocalDate day,
      UUID ref,
      Set<String> labels,
      @JsonProperty("x-note") String note) {}

  public record Receipt(@NotNull String id, long total) {}

  public record Headers(@JsonProperty("api-key") @NotBlank String apiKey, int version) {}

  @Namespace("shop.orders")
  public interface Orders {
    void place(Order order);

    @CallTimeout(millis = 2500)
    CompletableFuture<Receipt> checkout(Order order);

    List<String> list();

    void clear();
  }

  @Namespace("shop")
  public interface ShopEvents {
    void onShipped(Receipt receipt);

    void onClosed();
  }
}
