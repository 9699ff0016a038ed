package dev.zocket.junit;

import dev.zocket.Context;
import dev.zocket.netty.ZocketServer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The server of the extension's tests: {@link Echo}, with the {@code user-name} header. */
final class Echoes {
  private Echoes() {}

  static ZocketServer.Builder<Map<String, String>, String> server() {
    return ZocketServer.builder()
        .onConnect((headers, clientId) -> headers.getOrDefault("user-name", "anonymous"))
        .handle(Echo.class, Handler::new);
  }

  private static final class Handler implements Echo {
    private final Context<String> ctx;

    Handler(Context<String> ctx) {
      this.ctx = ctx;
    }

    @Override
    public CompletableFuture<Said> say(Said said) {
      return CompletableFuture.completedFuture(new Said(ctx.user() + ": " + said.text()));
    }
  }
}
