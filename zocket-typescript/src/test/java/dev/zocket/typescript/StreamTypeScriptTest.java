package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.testsupport.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streams (extension) in TypeScript: the generator writes a {@code stream} route with its item
 * schema, a usage file with {@code @ts-expect-error} lines type-checks under {@code tsc --strict},
 * and the TypeScript client under Node consumes a Java server's stream with {@code for await}:
 * items in order, a typed error, {@code break} and an {@code AbortSignal} cancelling the server's
 * publisher, a call answered after them. Needs Node.js (skipped without it, failing under CI).
 */
class StreamTypeScriptTest {

  /** What to search for. */
  public record Query(String q, int count) {}

  /** One item. */
  public record Hit(int n, String text) {}

  /** The contract under test. */
  @Namespace("search")
  public interface Search {
    /** {@code count} hits, then the end; {@code q} "fail" fails after them. */
    Flow.Publisher<Hit> find(Query query);

    /** As many hits as are asked for. */
    Flow.Publisher<Hit> endless();

    /** A marker call. */
    String ping(String text);
  }

  /** A publisher that emits as much as requested, and records requests and its cancellation. */
  static final class Source implements Flow.Publisher<Hit> {
    final String q;
    final int limit;
    final AtomicLong requested = new AtomicLong();
    final CountDownLatch cancelled = new CountDownLatch(1);

    Source(String q, int limit) {
      this.q = q;
      this.limit = limit;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Hit> s) {
      s.onSubscribe(
          new Flow.Subscription() {
            private long emitted;
            private boolean done;

            @Override
            public synchronized void request(long n) {
              requested.addAndGet(n);
              while (!done && emitted < requested.get() && (limit < 0 || emitted < limit)) {
                emitted++;
                s.onNext(new Hit((int) emitted, q + " " + emitted));
              }
              if (!done && limit >= 0 && emitted == limit) {
                done = true;
                if ("fail".equals(q)) {
                  s.onError(new ZocketException("NO_MORE", "The index broke"));
                } else {
                  s.onComplete();
                }
              }
            }

            @Override
            public void cancel() {
              done = true;
              cancelled.countDown();
            }
          });
    }
  }

  private static final String USAGE =
      """
      import { createClient, type WebSocketConstructor } from "zocket-java-client";
      import { contract } from "./stream-contract.js";

      declare const WebSocketImpl: WebSocketConstructor;

      export async function usage(): Promise<void> {
        const client = createClient(contract, "ws://127.0.0.1:1/", { WebSocket: WebSocketImpl });
        for await (const hit of client.send.search.find({ q: "x", count: 1 })) {
          const n: number = hit.n;
          const text: string | null | undefined = hit.text;
          void [n, text];
          // @ts-expect-error an item has no such field
          void hit.score;
        }
        // @ts-expect-error the payload is required
        client.send.search.find();
        // @ts-expect-error count is a number
        client.send.search.find({ q: "x", count: "1" });
        // @ts-expect-error a stream without payload takes options only
        client.send.search.endless({ q: "x" });
        // @ts-expect-error a stream is iterated, not awaited as a reply
        const reply: { n: number } = await client.send.search.endless();
        void reply;
      }
      """;

  /** The client under Node: prints one line per outcome. */
  private static final String CLIENT_SCRIPT =
      """
      import { WebSocket } from "ws";
      import { createClient, ZocketError } from "zocket-java-client";
      import { contract } from "./stream-contract.js";

      const client = createClient(contract, process.argv[2]!, { WebSocket, reconnect: false });
      await client.opened();

      // region consume
      const got: number[] = [];
      for await (const hit of client.send.search.find({ q: "ts", count: 50 })) {
        got.push(hit.n); // hit: z.output<typeof Hit>
      }
      console.log(`FIND ${got.length} ${got.every((n, i) => n === i + 1)}`);

      try {
        for await (const hit of client.send.search.find({ q: "fail", count: 2 })) {
          console.log(`ITEM ${hit.n} ${hit.text}`);
        }
        console.log("NO ERROR");
      } catch (e) {
        console.log(`ERROR ${e instanceof ZocketError ? `${e.code} ${e.message}` : String(e)}`);
      }

      for await (const hit of client.send.search.endless()) {
        if (hit.n === 3) {
          console.log("BREAK 3");
          break; // cancels the stream on the server
        }
      }

      const controller = new AbortController();
      try {
        for await (const hit of client.send.search.endless({ signal: controller.signal })) {
          if (hit.n === 2) {
            controller.abort(new Error("enough")); // cancels the stream on the server
          }
        }
        console.log("NOT ABORTED");
      } catch (e) {
        console.log(`ABORTED ${(e as Error).message}`); // the loop rejects with signal.reason
      }
      // endregion consume

      console.log(`PING ${await client.send.search.ping("x")}`);
      client.close();
      console.log("BYE");
      """;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theTypeScriptClientConsumesAJavaStreamWithForAwait() throws Exception {
    Node.require();
    Toolchain.buildClient();

    Path dir = Path.of("target", "streams").toAbsolutePath();
    Toolchain.linkModules(dir);
    String module = TypeScriptGenerator.builder().routes(Search.class).build().generate();
    assertThat(module)
        .contains("find: { kind: \"stream\", payload: Query, item: Hit }")
        .contains("endless: { kind: \"stream\", item: Hit }");
    Files.writeString(dir.resolve("stream-contract.ts"), module);
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.writeString(dir.resolve("usage.ts"), USAGE);
    Files.writeString(dir.resolve("stream-client.ts"), CLIENT_SCRIPT);
    Toolchain.compile(dir, "stream-contract.ts", "usage.ts", "stream-client.ts");

    BlockingQueue<Source> sources = new LinkedBlockingQueue<>();
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(
                Search.class,
                ctx ->
                    new Search() {
                      @Override
                      public Flow.Publisher<Hit> find(Query query) {
                        Source s = new Source(query.q(), query.count());
                        sources.add(s);
                        return s;
                      }

                      @Override
                      public Flow.Publisher<Hit> endless() {
                        Source s = new Source("endless", -1);
                        sources.add(s);
                        return s;
                      }

                      @Override
                      public String ping(String text) {
                        return "pong " + text;
                      }
                    })
            .host("127.0.0.1")
            .port(0)
            .start()) {
      Node.Result run =
          Node.run(
              dir,
              Duration.ofMinutes(1),
              "node",
              "out/stream-client.js",
              "ws://127.0.0.1:" + server.port() + "/");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output().lines().filter(l -> !l.isBlank()))
          .containsExactly(
              "FIND 50 true",
              "ITEM 1 fail 1",
              "ITEM 2 fail 2",
              "ERROR NO_MORE The index broke",
              "BREAK 3",
              "ABORTED enough",
              "PING pong x",
              "BYE");
      List<Source> made = new ArrayList<>(sources);
      assertThat(made).hasSize(4);
      Source broken = made.get(2);
      Source aborted = made.get(3);
      assertThat(broken.cancelled.await(10, TimeUnit.SECONDS)).as("break cancelled").isTrue();
      assertThat(aborted.cancelled.await(10, TimeUnit.SECONDS)).as("abort cancelled").isTrue();
      // The client grants a window of 16 and tops it up only once half of it was consumed: a
      // loop that read 3 items asked the server for 16, and the publisher was asked for no more.
      assertThat(broken.requested.get()).isEqualTo(16);
      // The whole stream of 50 was asked for in windows, never more than 16 ahead of consumption.
      assertThat(made.get(0).requested.get()).isLessThanOrEqualTo(50 + 16);
      Await.until("every stream ended", () -> server.connectionCount() == 0);
    }
  }
}
