package dev.zocket.bench.jmh;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/** The chat contracts the micro-benchmarks run against, shaped like the chat example's. */
public final class ChatContracts {
  private ChatContracts() {}

  /**
   * The handshake headers, as in the chat example: {@code user-name}, {@code "Anonymous"} when
   * missing or blank.
   */
  public record ChatHeaders(@JsonProperty("user-name") @Size(max = 64) String userName) {
    /** Replaces a missing or blank name with {@code "Anonymous"}. */
    public ChatHeaders {
      if (userName == null || userName.isBlank()) {
        userName = "Anonymous";
      }
    }
  }

  /** {@code rooms.join}, {@code rooms.leave}, {@code rooms.members} payload. */
  public record RoomId(@NotBlank @Size(max = 64) String roomId) {}

  /** {@code rooms.message} payload. */
  public record PostMessage(
      @NotBlank @Size(max = 64) String roomId, @NotNull @Size(max = 2000) String content) {}

  /** {@code rooms.onJoin} payload. */
  public record Joined(String roomId, String userName) {}

  /** {@code rooms.onMessage} payload. */
  public record ChatMessage(String roomId, String userName, String content, Instant timestamp) {}

  /** Client to server. */
  @Namespace("rooms")
  @NonBlocking
  public interface Rooms {
    /** Joins a room. */
    void join(@Valid RoomId request);

    /** Posts to a room. */
    void message(@Valid PostMessage message);

    /** The names in a room. */
    List<String> members(@Valid RoomId request);
  }

  /** Server to client. */
  @Namespace("rooms")
  public interface RoomEvents {
    /** Someone joined. */
    void onJoin(Joined event);

    /** A message was posted. */
    void onMessage(ChatMessage message);
  }
}
