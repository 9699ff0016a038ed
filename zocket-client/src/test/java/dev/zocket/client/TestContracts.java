package dev.zocket.client;

import dev.zocket.CallTimeout;
import dev.zocket.Namespace;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The contracts the client tests speak (public: proxies run default methods through core). */
public final class TestContracts {
  private TestContracts() {}

  public record JoinRoom(@NotBlank @Size(max = 16) String roomId) {}

  public record Post(@NotBlank String roomId, @NotBlank String content) {}

  public record Joined(String roomId, String userName) {}

  public record Message(String roomId, String userName, String content) {}

  public record Notice(@NotBlank String text) {}

  @Namespace("rooms")
  public interface Rooms {
    void join(JoinRoom request);

    void leaveAll();

    void post(Post post);

    CompletableFuture<List<String>> members(JoinRoom room);

    CompletionStage<Void> touch();

    String echo(String text);

    int count();

    @CallTimeout(millis = 200)
    CompletableFuture<String> slow();

    CompletableFuture<String> hang();

    default String greet(String name) {
      return "hello " + name;
    }
  }

  @Namespace("rooms")
  public interface RoomEvents {
    default void onJoin(Joined event) {}

    default void onMessage(Message message) {}

    default void onReset() {}

    default void onNotice(Notice notice) {}
  }
}
