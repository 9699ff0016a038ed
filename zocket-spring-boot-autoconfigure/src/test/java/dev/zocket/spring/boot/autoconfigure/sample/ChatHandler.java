package dev.zocket.spring.boot.autoconfigure.sample;

import dev.zocket.Context;
import dev.zocket.spring.boot.autoconfigure.ZocketHandler;
import jakarta.annotation.PreDestroy;
import java.util.List;

/** One bean per connection for two contracts, with the Context and singletons injected. */
@ZocketHandler
public class ChatHandler implements Greeter, Rooms {
  private final Context<?> ctx;
  private final GreetingService greetings;
  private final Disconnects disconnects;

  public ChatHandler(Context<?> ctx, GreetingService greetings, Disconnects disconnects) {
    this.ctx = ctx;
    this.greetings = greetings;
    this.disconnects = disconnects;
  }

  @Override
  public Greeting greet(Greet request) {
    return new Greeting(greetings.greet(request.name()), ctx.clientId());
  }

  @Override
  public Greeting slow(Slow request) {
    disconnects.slowStarted.add(request.millis());
    try {
      Thread.sleep(request.millis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new Greeting("slept " + request.millis(), ctx.clientId());
  }

  @Override
  public List<String> join(Join request) {
    ctx.rooms().join(request.room());
    return List.copyOf(ctx.rooms().current());
  }

  @Override
  public void say(Say request) {
    ctx.emit(RoomEvents.class)
        .toRoom(request.room())
        .onSaid(new RoomEvents.Said(request.room(), request.text(), ctx.clientId()));
  }

  @PreDestroy
  void ended() {
    disconnects.ended.add(ctx.clientId() + " " + ctx.rooms().current());
  }
}
