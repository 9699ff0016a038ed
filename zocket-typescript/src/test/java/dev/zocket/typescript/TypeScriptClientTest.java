package dev.zocket.typescript;

import static dev.zocket.typescript.Toolchain.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.netty.Authenticator;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.Node;
import jakarta.validation.constraints.NotBlank;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TypeScript client package's own suite ({@code npm test} in {@code clients/typescript}: its
 * build, its type tests and its tests against a real WebSocket server under Node), run by the
 * build, and the client under Node against a real Java server. Needs Node.js (skipped without it,
 * failing under CI).
 */
class TypeScriptClientTest {

  @Test
  void theClientPackageBuildsAndPassesItsTests() {
    Node.require();
    Node.install(CLIENT);
    Node.Result r = Node.run(CLIENT, Duration.ofMinutes(5), "npm", "test");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).containsPattern("# fail 0").containsPattern("# pass [1-9]");
  }

  public record Room(@NotBlank String roomId) {}

  public record Numbered(int n) {}

  /** What the TypeScript client calls: joining a room answers its id once joined. */
  @Namespace("rooms")
  public interface Rooms {
    String join(Room room);
  }

  /** What the server sends to the room. */
  @Namespace("feed")
  public interface Feed {
    void onNumber(Numbered number);
  }

  /** The client under Node: prints what happens, one line each; ends when stdin ends. */
  private static final String RECOVERING_CLIENT =
      """
      import { WebSocket } from "ws";
      import { createClient } from "zocket-java-client";
      import { contract } from "./recovery-contract.js";

      const client = createClient(contract, process.argv[2]!, {
        WebSocket,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      client.on.feed.onNumber((e) => console.log(`EVENT ${e.n}`));
      client.onOpen(({ recovered }) => {
        console.log(`OPEN ${recovered} ${client.recovered}`);
        if (!recovered) {
          client.send.rooms.join({ roomId: "r" }).then(
            (room) => console.log(`JOINED ${room}`),
            (e: unknown) => console.log(`JOIN FAILED ${String(e)}`),
          );
        }
      });
      client.onClose((code) => console.log(`CLOSED ${code}`));
      client.onError((e: unknown) => console.error(`error: ${String(e)}`));
      process.stdin.resume();
      process.stdin.on("end", () => {
        client.close();
        console.log("BYE");
        process.exit(0);
      });
      """;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void afterACutTheClientRecoversItsSessionAndGetsTheMissedEventsInOrderOnce() throws Exception {
    Node.require();
    Toolchain.buildClient();
    Path dir = compile("recovery", "recovering-client.ts", RECOVERING_CLIENT);

    try (ZocketServer server = roomServer();
        CuttingProxy proxy = CuttingProxy.start(server.port());
        NodeProcess client =
            NodeProcess.start(dir, "node", "out/recovering-client.js", proxy.wsUri().toString())) {
      assertThat(client.next()).isEqualTo("OPEN false false");
      assertThat(client.next()).isEqualTo("JOINED r");
      Feed room = server.emit(Feed.class).toRoom("r");
      for (int n = 1; n <= 3; n++) {
        room.onNumber(new Numbered(n));
        assertThat(client.next()).isEqualTo("EVENT " + n);
      }

      // Cut, and keep the client out (its reconnects are refused) while events go to its room.
      proxy.target(deadPort());
      assertThat(proxy.cut()).isEqualTo(1);
      assertThat(client.next()).isEqualTo("CLOSED 1006");
      Await.until("the server saw the cut", () -> server.connectionCount() == 0);
      for (int n = 4; n <= 8; n++) {
        room.onNumber(new Numbered(n));
      }
      proxy.target(server.port());

      // Recovered: reported as such, no rejoin, the missed events in order, each once, then new.
      resumesWithTheMissedEvents(client, room);
    }
  }

  /**
   * The client under Node behind a black hole of its own: a TCP proxy to the server (argv[2]'s
   * port) that, on the line {@code HOLE} from stdin, stops forwarding the connections open then,
   * both ways, without closing them (bytes are read and dropped, as a dead path or a NAT that
   * forgot the connection would); later connections are forwarded. Prints what happens, one line
   * each.
   */
  private static final String BLACK_HOLE_CLIENT =
      """
      import net from "node:net";
      import readline from "node:readline";
      import { WebSocket } from "ws";
      import { createClient } from "zocket-java-client";
      import { contract } from "./recovery-contract.js";

      const target = Number(new URL(process.argv[2]!).port);
      const timeoutMs = Number(process.argv[3]);
      const open = new Set<{ hole: boolean }>();
      const proxy = net.createServer((downstream) => {
        const upstream = net.connect(target, "127.0.0.1");
        const pair = { hole: false };
        open.add(pair);
        downstream.on("data", (d) => { if (!pair.hole) upstream.write(d); });
        upstream.on("data", (d) => { if (!pair.hole) downstream.write(d); });
        const end = () => { open.delete(pair); downstream.destroy(); upstream.destroy(); };
        downstream.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
      });
      await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
      const port = (proxy.address() as net.AddressInfo).port;

      let holeAt = 0;
      const client = createClient(contract, `ws://127.0.0.1:${port}/`, {
        WebSocket,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
        livenessTimeoutMs: timeoutMs,
      });
      client.on.feed.onNumber((e) => console.log(`EVENT ${e.n}`));
      client.onOpen(({ recovered }) => {
        console.log(`OPEN ${recovered} ${client.recovered}`);
        if (!recovered) {
          client.send.rooms.join({ roomId: "r" }).then(
            (room) => console.log(`JOINED ${room}`),
            (e: unknown) => console.log(`JOIN FAILED ${String(e)}`),
          );
        }
      });
      client.onClose((code, reason) => {
        console.log(`CLOSED ${code}`);
        if (holeAt > 0) {
          console.log(`DETECTED ${Date.now() - holeAt} ${reason}`);
          holeAt = 0;
        }
      });
      client.onError((e: unknown) => console.error(`error: ${String(e)}`));
      const input = readline.createInterface({ input: process.stdin });
      input.on("line", (line) => {
        if (line === "HOLE") {
          for (const pair of open) pair.hole = true;
          holeAt = Date.now();
          console.log(`HOLED ${open.size}`);
        }
      });
      input.on("close", () => {
        client.close();
        console.log("BYE");
        process.exit(0);
      });
      """;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aConnectionThatTurnsIntoABlackHoleIsFoundDeadWithinTheLivenessTimeoutAndLosesNothing()
      throws Exception {
    Node.require();
    Toolchain.buildClient();
    Path dir = compile("black-hole", "black-hole-client.ts", BLACK_HOLE_CLIENT);
    long timeoutMs = 2_000;

    try (ZocketServer server = roomServer();
        NodeProcess client =
            NodeProcess.start(
                dir,
                "node",
                "out/black-hole-client.js",
                "ws://127.0.0.1:" + server.port() + "/",
                Long.toString(timeoutMs))) {
      assertThat(client.next()).isEqualTo("OPEN false false");
      assertThat(client.next()).isEqualTo("JOINED r");
      Feed room = server.emit(Feed.class).toRoom("r");
      for (int n = 1; n <= 3; n++) {
        room.onNumber(new Numbered(n));
        assertThat(client.next()).isEqualTo("EVENT " + n);
      }

      // The path dies silently: nothing closes, nothing arrives, and the server keeps sending.
      client.println("HOLE");
      assertThat(client.next()).isEqualTo("HOLED 1");
      for (int n = 4; n <= 8; n++) {
        room.onNumber(new Numbered(n));
      }
      assertThat(server.connectionCount()).isEqualTo(1);

      // Found dead by the liveness check, within its timeout of the last frame received.
      assertThat(client.next()).isEqualTo("CLOSED 1006");
      String detected = client.next();
      assertThat(detected)
          .matches("DETECTED \\d+ No message from the server within " + timeoutMs + " ms");
      long millis = Long.parseLong(detected.split(" ")[1]);
      System.out.println("Black hole detected after " + millis + " ms (timeout " + timeoutMs + ")");
      assertThat(millis).isBetween(timeoutMs / 2, timeoutMs + 2_000);

      // Resumed through a new connection (the old one is still open at the server: taken over).
      resumesWithTheMissedEvents(client, room);
    }
  }

  /**
   * The client under Node with its token from a headers function: the line {@code TOKEN <t>} from
   * stdin replaces the token and calls {@code connect()}. Prints every call of the function, opens,
   * closes, the move to {@code idle} and the refusal.
   */
  private static final String TOKEN_CLIENT =
      """
      import readline from "node:readline";
      import { WebSocket } from "ws";
      import { createClient, HandshakeError } from "zocket-java-client";
      import { contract } from "./recovery-contract.js";

      let token = process.argv[3]!;
      const client = createClient(contract, process.argv[2]!, {
        WebSocket,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
        headers: async () => {
          console.log(`HEADERS ${token}`);
          return { access_token: token };
        },
      });
      client.onOpen(({ recovered }) => {
        console.log(`OPEN ${recovered}`);
        if (!recovered) {
          client.send.rooms.join({ roomId: "r" }).then((room) => console.log(`JOINED ${room}`));
        }
      });
      client.onClose((code) => console.log(`CLOSED ${code}`));
      client.onStateChange((state) => {
        if (state === "idle") console.log("IDLE");
      });
      client.onError((e: unknown) => {
        if (e instanceof HandshakeError) {
          console.log(`REFUSED ${e.status} ${e.code} ${e.message}`);
        } else {
          console.error(`error: ${String(e)}`);
        }
      });
      const input = readline.createInterface({ input: process.stdin });
      input.on("line", (line) => {
        if (line.startsWith("TOKEN ")) {
          token = line.slice(6);
          void client.connect();
        }
      });
      input.on("close", () => {
        client.close();
        console.log("BYE");
        process.exit(0);
      });
      """;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aTokenRefusedAtAReconnectStopsTheClientUntilItConnectsWithAFreshOne() throws Exception {
    Node.require();
    Toolchain.buildClient();
    Path dir = compile("token", "token-client.ts", TOKEN_CLIENT);
    Set<String> valid = ConcurrentHashMap.newKeySet();
    valid.add("t1");
    List<String> tokensSeen = new CopyOnWriteArrayList<>();

    try (ZocketServer server =
            roomServer(
                request -> {
                  String token = Authenticator.token(request, "access_token", "authorization");
                  tokensSeen.add(String.valueOf(token));
                  if (!valid.contains(token)) {
                    throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Token expired");
                  }
                });
        CuttingProxy proxy = CuttingProxy.start(server.port());
        NodeProcess client =
            NodeProcess.start(dir, "node", "out/token-client.js", proxy.wsUri().toString(), "t1")) {
      assertThat(client.next()).isEqualTo("HEADERS t1");
      assertThat(client.next()).isEqualTo("OPEN false");
      assertThat(client.next()).isEqualTo("JOINED r");

      // The token expires, then the connection drops: the reconnect is refused, and not retried.
      valid.clear();
      valid.add("t2");
      assertThat(proxy.cut()).isEqualTo(1);
      assertThat(client.next()).isEqualTo("CLOSED 1006");
      assertThat(client.next()).isEqualTo("HEADERS t1");
      assertThat(client.next()).isEqualTo("IDLE");
      assertThat(client.next()).isEqualTo("REFUSED 401 UNAUTHORIZED Token expired");

      // The application brings a fresh token and connects: the function is called again, and the
      // session, kept by the server, resumes. The marker: no other attempt came in between.
      client.println("TOKEN t2");
      assertThat(client.next()).isEqualTo("HEADERS t2");
      assertThat(client.next()).isEqualTo("OPEN true");
      assertThat(tokensSeen).containsExactly("t1", "t1", "t2");
      client.endInput();
      assertThat(client.next()).isEqualTo("CLOSED 1000");
      assertThat(client.next()).isEqualTo("BYE");
      assertThat(client.exitCode()).as(client.errors()).isZero();
    }
  }

  /** A server whose {@code rooms.join} joins the room, with recovery on. */
  /**
   * The client reports a resumed session (recovered, not rejoined), reads the events 4 to 8 it
   * missed, in order and each once, then the new event 9, and ends cleanly on end of input.
   */
  private static void resumesWithTheMissedEvents(NodeProcess client, Feed room) throws Exception {
    assertThat(client.next()).isEqualTo("OPEN true true");
    for (int n = 4; n <= 8; n++) {
      assertThat(client.next()).isEqualTo("EVENT " + n);
    }
    room.onNumber(new Numbered(9));
    assertThat(client.next()).isEqualTo("EVENT 9");
    client.endInput();
    assertThat(client.next()).isEqualTo("CLOSED 1000");
    assertThat(client.next()).isEqualTo("BYE");
    assertThat(client.exitCode()).as(client.errors()).isZero();
  }

  private static ZocketServer roomServer() {
    return roomServer(request -> {});
  }

  /** A server whose {@code rooms.join} joins the room, with recovery on, and its authenticator. */
  private static ZocketServer roomServer(Authenticator authenticator) {
    return ZocketServer.builder()
        .authenticate(authenticator)
        .handle(
            Rooms.class,
            ctx ->
                room -> {
                  ctx.rooms().join(room.roomId());
                  return room.roomId();
                })
        .recovery(Duration.ofSeconds(30), 100)
        .host("127.0.0.1")
        .port(0)
        .start();
  }

  /**
   * {@code target/<name>} with the client package linked, the contract of {@link Rooms} and {@link
   * Feed} generated, and {@code script} compiled into {@code out/}.
   */
  private static Path compile(String name, String file, String script) throws IOException {
    Path dir = Path.of("target", name).toAbsolutePath();
    Toolchain.linkModules(dir);
    TypeScriptGenerator.builder()
        .routes(Rooms.class)
        .events(Feed.class)
        .build()
        .write(dir.resolve("recovery-contract.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.writeString(dir.resolve(file), script);
    Toolchain.compile(dir, "recovery-contract.ts", file);
    return dir;
  }

  /** A port nothing listens on: connections to it are refused. */
  private static int deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A Node process whose stdout lines are read as they come; stderr is kept for messages. */
  private static final class NodeProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer errors = new StringBuffer();

    private NodeProcess(Process process) {
      this.process = process;
      pump(process.getInputStream(), lines::add);
      pump(process.getErrorStream(), line -> errors.append(line).append('\n'));
    }

    static NodeProcess start(Path dir, String... command) throws IOException {
      return new NodeProcess(new ProcessBuilder(command).directory(dir.toFile()).start());
    }

    private static void pump(java.io.InputStream in, java.util.function.Consumer<String> sink) {
      Thread thread =
          new Thread(
              () -> {
                try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  for (String line; (line = reader.readLine()) != null; ) {
                    sink.accept(line);
                  }
                } catch (IOException e) {
                  // The process ended.
                }
              },
              "node-output");
      thread.setDaemon(true);
      thread.start();
    }

    /** The next stdout line, within 10 seconds. */
    String next() throws InterruptedException {
      String line = lines.poll(10, TimeUnit.SECONDS);
      assertThat(line).as("no line from the client within 10 s; stderr:\n" + errors).isNotNull();
      return line;
    }

    void println(String line) throws IOException {
      process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    }

    void endInput() throws IOException {
      process.getOutputStream().close();
    }

    String errors() {
      return errors.toString();
    }

    int exitCode() throws InterruptedException {
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the client ended").isTrue();
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
