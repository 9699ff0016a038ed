package dev.zocket.netty;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.ZocketException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The contracts, records and handler the transport tests talk to. */
final class TestApi {
  private TestApi() {}

  public record Headers(
      @JsonProperty("user-name") @NotBlank @Size(max = 20) String userName,
      @JsonProperty("x-tag") String tag) {
    public Headers {
      if (userName == null) {
        userName = "Anonymous";
      }
    }
  }

  public record User(String name, String clientId) {}

  public record Room(@NotBlank @Size(max = 64) String roomId) {}

  public record Say(@NotBlank String roomId, @NotBlank String text) {}

  public record Message(String roomId, String from, String text) {}

  public record Echo(String text, int n) {}

  @Namespace("t")
  public interface Api {
    Echo echo(Echo e);

    void join(Room r);

    void leave(Room r);

    List<String> rooms();

    void say(Say s);

    User whoami();

    CompletableFuture<Void> nothing();

    CompletableFuture<String> later(String text);

    String fail(String code);

    String sleep(int millis);

    String seq(int n);

    @NonBlocking
    String thread();

    void record(String text);
  }

  @Namespace("ev")
  public interface Events {
    void onMessage(Message m);

    void onText(String text);

    void onPing();
  }

  /** One per connection; reports what it does into {@link #log}. */
  static final class ApiHandler implements Api {
    static final BlockingQueue<String> log = new LinkedBlockingQueue<>();
    private final Context<User> ctx;

    ApiHandler(Context<User> ctx) {
      this.ctx = ctx;
    }

    @Override
    public Echo echo(Echo e) {
      return e;
    }

    @Override
    public void join(Room r) {
      ctx.rooms().join(r.roomId());
    }

    @Override
    public void leave(Room r) {
      ctx.rooms().leave(r.roomId());
    }

    @Override
    public List<String> rooms() {
      return List.copyOf(new TreeSet<>(ctx.rooms().current()));
    }

    @Override
    public void say(Say s) {
      ctx.emit(Events.class)
          .except(ctx.clientId())
          .toRoom(s.roomId())
          .onMessage(new Message(s.roomId(), ctx.user().name(), s.text()));
    }

    @Override
    public User whoami() {
      return ctx.user();
    }

    @Override
    public CompletableFuture<Void> nothing() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<String> later(String text) {
      return CompletableFuture.supplyAsync(
          () -> text + "!", CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
    }

    @Override
    public String fail(String code) {
      if (code.equals("boom")) {
        throw new IllegalStateException("secret stack");
      }
      throw new ZocketException(code, "failed with " + code);
    }

    @Override
    public String sleep(int millis) {
      log.add("sleep-start " + millis);
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      log.add("sleep-end " + millis);
      return "slept " + millis;
    }

    @Override
    public String seq(int n) {
      return "seq " + n;
    }

    @Override
    public String thread() {
      return Thread.currentThread().getName();
    }

    @Override
    public void record(String text) {
      log.add(ctx.user().name() + ":" + text);
    }
  }
}
