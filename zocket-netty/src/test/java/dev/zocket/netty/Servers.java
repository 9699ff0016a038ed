package dev.zocket.netty;

import dev.zocket.netty.TestApi.Api;
import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.netty.TestApi.Headers;
import dev.zocket.netty.TestApi.User;
import dev.zocket.test.LeakDetection;

/** Builders of test servers on 127.0.0.1, on a free port. */
final class Servers {
  private Servers() {}

  /** Headers bound to {@link Headers}, the user built from them, the {@link Api} handler. */
  static ZocketServer.Builder<Headers, User> standard() {
    LeakDetection.install();
    return ZocketServer.builder()
        .headers(Headers.class)
        .onConnect((h, id) -> new User(h.userName(), id))
        .handle(Api.class, ApiHandler::new)
        .host("127.0.0.1")
        .port(0);
  }
}
