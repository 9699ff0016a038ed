package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.Node;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acknowledged events in the generated TypeScript contract, and the TypeScript client under Node
 * answering a real Java server. Needs Node.js (skipped without it, failing under CI).
 */
class TypeScriptAckTest {

  public record Question(@NotBlank String text) {}

  public record Answer(boolean yes, @NotBlank String note) {}

  /** What the server asks the client. */
  @Namespace("prompts")
  public interface Prompts {
    CompletableFuture<Answer> confirm(Question question);

    CompletableFuture<Integer> count();

    CompletableFuture<Void> seen(Question question);

    CompletableFuture<Answer> fail(Question question);

    CompletableFuture<Answer> bad(Question question);

    void notice(Question question);
  }

  /** What the client calls: the server then asks it every prompt and answers what it heard. */
  @Namespace("acks")
  public interface Acks {
    String start();
  }

  @Test
  void theGeneratedContractMarksAcknowledgedEventsWithTheirAnswersSchema() {
    String module = TypeScriptGenerator.builder().events(Prompts.class).build().generate();
    assertThat(module)
        .contains(
            """
              events: {
                prompts: {
                  bad: { payload: Question, ack: true, reply: Answer },
                  confirm: { payload: Question, ack: true, reply: Answer },
                  count: { ack: true, reply: z.int32() },
                  fail: { payload: Question, ack: true, reply: Answer },
                  notice: { payload: Question },
                  seen: { payload: Question, ack: true },
                },
              },
            """);
  }

  /**
   * The client under Node, typed by the generated contract: answers each prompt, then calls {@code
   * acks.start} and prints what the server heard. The type errors are checked by tsc --strict.
   */
  private static final Path ANSWERING_CLIENT =
      Path.of("src", "test", "typescript", "answering-client.ts");

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theTypeScriptClientAnswersWithItsListenersValues() throws Exception {
    Node.require();
    Toolchain.buildClient();
    Path dir = compile();

    try (ZocketServer server =
        ZocketServer.builder()
            .handle(Acks.class, ctx -> () -> askEverything(ctx))
            .host("127.0.0.1")
            .port(0)
            .start()) {
      Node.Result run =
          Node.run(
              dir,
              Duration.ofMinutes(1),
              "node",
              "out/answering-client.js",
              "ws://127.0.0.1:" + server.port() + "/");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output())
          .contains(
              "RESULT confirm=Answer[yes=true, note=sure: deploy?] count=3 seen=null"
                  + " fail=NOT_NOW Busy with x bad=INVALID_PAYLOAD Invalid answer to prompts.bad:"
                  + " note: must not be blank [note: must not be blank]");
    }
  }

  /** On the handler's thread: asks the caller every prompt in turn; says what came back. */
  private static String askEverything(Context<?> ctx) {
    Prompts prompts = ctx.emit(Prompts.class).to(ctx.clientId());
    return "confirm="
        + outcome(prompts.confirm(new Question("deploy?")))
        + " count="
        + outcome(prompts.count())
        + " seen="
        + outcome(prompts.seen(new Question("y")))
        + " fail="
        + outcome(prompts.fail(new Question("x")))
        + " bad="
        + outcome(prompts.bad(new Question("z")));
  }

  private static String outcome(CompletableFuture<?> answer) {
    try {
      return String.valueOf(answer.orTimeout(10, TimeUnit.SECONDS).join());
    } catch (CompletionException e) {
      if (e.getCause() instanceof ZocketException z) {
        return z.code()
            + " "
            + z.getMessage()
            + (z.details().isEmpty()
                ? ""
                : " " + z.details().stream().map(v -> v.path() + ": " + v.message()).toList());
      }
      return e.getCause().toString();
    }
  }

  /**
   * {@code target/acks} with the client package linked, the contract of {@link Acks} and {@link
   * Prompts} generated, and the client compiled into {@code out/} by tsc --strict.
   */
  private static Path compile() throws IOException {
    Path dir = Path.of("target", "acks").toAbsolutePath();
    Toolchain.linkModules(dir);
    TypeScriptGenerator.builder()
        .routes(Acks.class)
        .events(Prompts.class)
        .build()
        .write(dir.resolve("acks-contract.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.copy(
        ANSWERING_CLIENT, dir.resolve("answering-client.ts"), StandardCopyOption.REPLACE_EXISTING);
    Toolchain.compile(dir, "acks-contract.ts", "answering-client.ts");
    return dir;
  }
}
