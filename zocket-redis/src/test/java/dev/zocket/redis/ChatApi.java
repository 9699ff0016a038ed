package dev.zocket.redis;

import dev.zocket.Context;
import dev.zocket.Namespace;
import java.util.List;

/** The contracts and handler the backplane tests talk to. */
final class ChatApi {
  private ChatApi() {}

  /**
   * To rooms, or to clients (with {@code to}), or to everyone (both empty), skipping {@code
   * except}.
   */
  public record Say(List<String> rooms, List<String> to, String text, List<String> except) {}

  public record Msg(String from, String text) {}

  @Namespace("chat")
  public interface Chat {
    String whoami();

    String join(String room);

    String leave(String room);

    void say(Say s);
  }

  @Namespace("chatev")
  public interface ChatEvents {
    void onMessage(Msg m);
  }

  /** One per connection. */
  static final class Handler implements Chat {
    private final Context<?> ctx;

    Handler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public String whoami() {
      return ctx.clientId();
    }

    @Override
    public String join(String room) {
      ctx.rooms().join(room);
      return room;
    }

    @Override
    public String leave(String room) {
      ctx.rooms().leave(room);
      return room;
    }

    @Override
    public void say(Say s) {
      var emitter = ctx.emit(ChatEvents.class).except(s.except().toArray(new String[0]));
      Msg m = new Msg(ctx.clientId(), s.text());
      if (!s.rooms().isEmpty()) {
        emitter.toRoom(s.rooms().toArray(new String[0])).onMessage(m);
      } else if (!s.to().isEmpty()) {
        emitter.to(s.to().toArray(new String[0])).onMessage(m);
      } else {
        emitter.broadcast().onMessage(m);
      }
    }
  }
}
