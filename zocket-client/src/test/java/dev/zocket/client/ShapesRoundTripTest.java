package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.annotation.JsonTypeName;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.LeakDetection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A sealed-interface payload and a generic record reply, through a real server on 127.0.0.1 and the
 * Java client: bound to the right record on the server, the reply bound with its type argument.
 */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ShapesRoundTripTest {
  sealed interface Shape permits Circle, Square {}

  @JsonTypeName("circle")
  record Circle(@Positive double radius) implements Shape {}

  @JsonTypeName("square")
  record Square(@Positive double side) implements Shape {}

  record Todo(@NotBlank String title, boolean done) {}

  record Page<T>(@NotNull List<@Valid T> items, int total) {}

  interface Todos {
    CompletableFuture<Page<Todo>> near(Shape shape);
  }

  /** Answers with a to-do that names the record the server was given. */
  static final class TodosHandler implements Todos {
    @Override
    public CompletableFuture<Page<Todo>> near(Shape shape) {
      String what =
          shape instanceof Circle c
              ? "circle of " + c.radius()
              : "square of " + ((Square) shape).side();
      return CompletableFuture.completedFuture(
          new Page<>(List.of(new Todo(what, false), new Todo("done", true)), 2));
    }
  }

  private static ZocketServer server() {
    return ZocketServer.builder()
        .handle(Todos.class, ctx -> new TodosHandler())
        .host("127.0.0.1")
        .port(0)
        .shutdownTimeout(Duration.ofSeconds(2))
        .start();
  }

  @Test
  void aUnionPayloadAndAGenericReplyGoThereAndBack() throws Exception {
    try (ZocketServer s = server();
        ZocketClient client =
            ZocketClient.builder(s.uri()).reconnect(ReconnectPolicy.disabled()).connect()) {
      Todos todos = client.proxy(Todos.class);
      Page<Todo> square = todos.near(new Square(2)).get(10, TimeUnit.SECONDS);
      assertThat(square)
          .isEqualTo(
              new Page<>(List.of(new Todo("square of 2.0", false), new Todo("done", true)), 2));
      assertThat(square.items().get(0)).isInstanceOf(Todo.class);
      assertThat(todos.near(new Circle(1.5)).get(10, TimeUnit.SECONDS).items().get(0).title())
          .isEqualTo("circle of 1.5");
    }
  }

  @Test
  void theServerValidatesTheRecordItWasGiven() {
    try (ZocketServer s = server();
        ZocketClient client =
            ZocketClient.builder(s.uri())
                .reconnect(ReconnectPolicy.disabled())
                .validatePayloads(false)
                .connect()) {
      Throwable t =
          catchThrowable(
              () -> client.proxy(Todos.class).near(new Circle(-1)).get(10, TimeUnit.SECONDS));
      assertThat(t instanceof ExecutionException e ? e.getCause() : t)
          .isInstanceOfSatisfying(
              InvalidPayloadException.class,
              e ->
                  assertThat(e.details())
                      .containsExactly(new Violation("radius", "must be greater than 0")));
    }
  }
}
