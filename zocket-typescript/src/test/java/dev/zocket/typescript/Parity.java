package dev.zocket.typescript;

import static dev.zocket.typescript.Toolchain.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.RouteDescriptor;
import dev.zocket.testsupport.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two sides of a parity test for any contract: the paths Java's binding and validation refuse a
 * payload of a route with, as the server binds a request, and the paths the generated zod schema of
 * that route refuses it with under Node.
 */
final class Parity {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A parity test's row: how to change the valid payload, and the paths Java must refuse (none:
   * accepted).
   */
  record Row(String what, Consumer<ObjectNode> change, List<String> refused) {}

  /** A change that both sides accept. */
  static Row ok(String what, Consumer<ObjectNode> change) {
    return new Row(what, change, List.of());
  }

  /** A change that both sides refuse, at these paths. */
  static Row no(String what, Consumer<ObjectNode> change, String... paths) {
    return new Row(what, change, List.of(paths));
  }

  private Parity() {}

  /** The distinct paths Java refuses a payload of {@code route} with, sorted; empty: accepted. */
  static List<String> javaPaths(Class<?> contract, String route, JsonNode payload) {
    ObjectMapper mapper = JsonMappers.configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS);
    MessageReader reader =
        new MessageReader(new JsonCodec(mapper), new PayloadValidator(mapper), true);
    RouteDescriptor found =
        Contracts.of(contract).routes().stream()
            .filter(r -> r.route().equals(route))
            .findFirst()
            .orElseThrow();
    ObjectNode envelope = JSON.createObjectNode().put("type", route);
    envelope.set("payload", payload);
    byte[] bytes = JSON.writeValueAsBytes(envelope);
    MessageReader.Routed routed = () -> found;
    MessageReader.Message<?> message = reader.read(bytes, 0, bytes.length, t -> routed);
    assertThat(message).isNotNull();
    if (message.error() == null) {
      return List.of();
    }
    assertThat(message.error()).isInstanceOf(InvalidPayloadException.class);
    return List.copyOf(
        new TreeSet<>(message.error().details().stream().map(Violation::path).toList()));
  }

  /**
   * The distinct paths the Java client refuses a reply to a call of {@code route} with, sorted;
   * empty: accepted.
   */
  static List<String> javaReplyPaths(Class<?> contract, String route, JsonNode reply) {
    ObjectMapper mapper = JsonMappers.configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS);
    MessageReader reader =
        new MessageReader(new JsonCodec(mapper), new PayloadValidator(mapper), true);
    RouteDescriptor found =
        Contracts.of(contract).routes().stream()
            .filter(r -> r.route().equals(route))
            .findFirst()
            .orElseThrow();
    ObjectNode envelope = JSON.createObjectNode().put("type", "__rpc_res").put("rpcId", "1");
    envelope.set("payload", reply);
    byte[] bytes = JSON.writeValueAsBytes(envelope);
    MessageReader.Message<?> message =
        reader.read(bytes, 0, bytes.length, t -> (MessageReader.Routed) null);
    assertThat(message).isNotNull();
    try {
      reader.reply(found, message);
      return List.of();
    } catch (InvalidPayloadException e) {
      return List.copyOf(new TreeSet<>(e.details().stream().map(Violation::path).toList()));
    }
  }

  /**
   * The distinct paths the generated schema of a route refuses each payload with, sorted, under
   * Node; the module of the contracts is generated into {@code target/<name>/contract.ts}, beside
   * which {@code extra} files (name, then source) are compiled too (type tests).
   *
   * @param schemas for each payload, its schema in {@code contract.routes}: {@code
   *     planner.save.payload}, {@code planner.all.reply}
   */
  static List<List<String>> zodPaths(
      String name,
      List<Class<?>> contracts,
      List<String> schemas,
      List<JsonNode> payloads,
      String... extra)
      throws Exception {
    Path dir = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(dir);
    Path modules = dir.resolve("node_modules");
    if (!Files.exists(modules, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(modules, CLIENT.resolve("node_modules"));
    }
    TypeScriptGenerator.builder()
        .routes(contracts.toArray(Class<?>[]::new))
        .build()
        .write(dir.resolve("contract.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.writeString(
        dir.resolve("parity.ts"),
        """
        import { readFileSync } from "node:fs";
        import { contract } from "./contract.js";

        type Schema = { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } };
        const rows: [string, unknown][] = JSON.parse(readFileSync(process.argv[2], "utf8"));
        const path = (p: PropertyKey[]) =>
          p.reduce<string>((s, k) => typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k), "");
        const schema = (name: string): Schema =>
          name.split(".").reduce<any>((o, k) => o[k], contract.routes) as Schema;
        const out = rows.map(([name, p]) => {
          const r = schema(name).safeParse(p);
          return r.success ? [] : [...new Set(r.error!.issues.map((i) => path(i.path)))].sort();
        });
        console.log(JSON.stringify(out));
        """);
    List<String> files = new ArrayList<>(List.of("contract.ts", "parity.ts"));
    for (int i = 0; i + 1 < extra.length; i += 2) {
      Files.writeString(dir.resolve(extra[i]), extra[i + 1]);
      files.add(extra[i]);
    }
    ArrayNode all = JSON.createArrayNode();
    for (int i = 0; i < payloads.size(); i++) {
      all.addArray().add(schemas.get(i)).add(payloads.get(i));
    }
    Files.write(dir.resolve("payloads.json"), JSON.writeValueAsBytes(all));
    Toolchain.compile(dir, files.toArray(String[]::new));
    Node.Result run =
        Node.run(dir, Duration.ofMinutes(1), "node", "out/parity.js", "payloads.json");
    assertThat(run.exitCode()).as(run.output()).isZero();
    List<List<String>> result = new ArrayList<>();
    for (JsonNode row : JSON.readTree(run.output().getBytes(StandardCharsets.UTF_8))) {
      List<String> paths = new ArrayList<>();
      row.forEach(p -> paths.add(p.asText()));
      result.add(paths);
    }
    return result;
  }
}
