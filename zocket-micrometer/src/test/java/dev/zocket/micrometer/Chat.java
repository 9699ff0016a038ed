package dev.zocket.micrometer;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import jakarta.validation.constraints.NotBlank;
import org.slf4j.MDC;

/** The contracts and handler of the metrics tests: calls, room messages and a room event. */
final class Chat {
  private Chat() {}

  public record Text(@NotBlank String text) {}

  public record Room(@NotBlank String room) {}

  public record Post(@NotBlank String room, @NotBlank String text) {}

  public record Posted(String room, String text) {}

  @Namespace("chat")
  public interface Calls {
    /** Answers the text. */
    String echo(Text text);

    /** Always refused with {@code NOT_ALLOWED}. */
    String forbidden(Text text);

    /** Whether the MDC holds this connection's client id and this route. */
    boolean mdc();

    /** A message: joins a room. */
    void join(Room room);

    /** A message: posts to a room, whose members get {@code chat.onPosted}. */
    void post(Post post);
  }

  /** Routes the server does not have, as a client that got them wrong would send them. */
  @Namespace("chat")
  public interface Unknown {
    String nope();

    void nopeMessage();
  }

  @Namespace("chat")
  public interface Events {
    void onPosted(Posted posted);
  }

  static final class Handler implements Calls {
    private final Context<?> ctx;

    Handler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public String echo(Text text) {
      return text.text();
    }

    @Override
    public String forbidden(Text text) {
      throw new ZocketException("NOT_ALLOWED", "Not allowed");
    }

    @Override
    public boolean mdc() {
      return ctx.clientId().equals(MDC.get(Context.MDC_CLIENT_ID))
          && "chat.mdc".equals(MDC.get(Context.MDC_ROUTE));
    }

    @Override
    public void join(Room room) {
      ctx.rooms().join(room.room());
    }

    @Override
    public void post(Post post) {
      ctx.emit(Events.class).toRoom(post.room()).onPosted(new Posted(post.room(), post.text()));
    }
  }
}
