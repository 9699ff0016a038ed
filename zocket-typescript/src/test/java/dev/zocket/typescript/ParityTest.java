package dev.zocket.typescript;

import static dev.zocket.typescript.Parity.no;
import static dev.zocket.typescript.Parity.ok;
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
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The same payloads through the Java side (strict binding and Bean Validation, as the server binds
 * a request) and through the generated zod schema under Node: each is accepted by both or refused
 * by both, with the same paths. Needs Node.js (skipped without it, failing under CI).
 */
class ParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode item(ObjectNode order, int i) {
    return (ObjectNode) order.withArray("items").get(i);
  }

  private static final List<Parity.Row> ROWS =
      List.of(
          ok("the valid order", o -> {}),
          no("id missing", o -> o.remove("id"), "id"),
          no("id null", o -> o.putNull("id"), "id"),
          no("id a number", o -> o.put("id", 5), "id"),
          no("id too short", o -> o.put("id", "a"), "id"),
          no("id too long", o -> o.put("id", "123456789"), "id"),
          ok("id of 8 UTF-16 units", o -> o.put("id", "\uD83D\uDE00\uD83D\uDE00abcd")),
          no("email not an address", o -> o.put("email", "not-an-email"), "email"),
          ok("email empty (as in Java)", o -> o.put("email", "")),
          ok("email null", o -> o.putNull("email")),
          ok("email without a dot in the domain", o -> o.put("email", "a@b")),
          no("email with a trailing dot", o -> o.put("email", "a@b."), "email"),
          ok("email with a quoted local part", o -> o.put("email", "\"x y\"@example.com")),
          ok("email with an IPv4 literal", o -> o.put("email", "a@[1.2.3.4]")),
          no("code lower case", o -> o.put("code", "ab123"), "code"),
          no("code too long", o -> o.put("code", "AB1234"), "code"),
          no("items empty", o -> o.putArray("items"), "items"),
          no("items missing", o -> o.remove("items"), "items"),
          no("items a single object", o -> o.set("items", item(o, 0).deepCopy()), "items"),
          no("item name blank", o -> item(o, 0).put("name", " \t"), "items[0].name"),
          ok(
              "item name a no-break space (not blank in Java)",
              o -> item(o, 0).put("name", "\u00a0")),
          no(
              "item name an em space (blank in Java)",
              o -> item(o, 0).put("name", "\u2003"),
              "items[0].name"),
          no("item qty zero", o -> item(o, 0).put("qty", 0), "items[0].qty"),
          no("item qty a fraction", o -> item(o, 0).put("qty", 1.5), "items[0].qty"),
          ok("item qty 3.0 is an integer", o -> item(o, 0).put("qty", 3.0)),
          no("item qty a string", o -> item(o, 0).put("qty", "3"), "items[0].qty"),
          no(
              "second item qty too big",
              o -> o.withArray("items").addObject().put("name", "b").put("qty", 100),
              "items[1].qty"),
          no("item qty missing (a primitive)", o -> item(o, 0).remove("qty"), "items[0].qty"),
          ok("a null item (no @NotNull on the element)", o -> o.withArray("items").addNull()),
          no("priority zero", o -> o.put("priority", 0), "priority"),
          no("priority beyond int", o -> o.put("priority", 3_000_000_000L), "priority"),
          ok("priority null", o -> o.putNull("priority")),
          no("weight at the exclusive minimum", o -> o.put("weight", 0.5), "weight"),
          ok("weight at the inclusive maximum", o -> o.put("weight", 100)),
          no("weight above the maximum", o -> o.put("weight", 100.5), "weight"),
          no("weight a boolean", o -> o.put("weight", true), "weight"),
          no("color unknown", o -> o.put("color", "BLUE"), "color"),
          no("color by ordinal", o -> o.put("color", 0), "color"),
          ok("color GREEN", o -> o.put("color", "GREEN")),
          ok("tags", o -> o.putObject("tags").put("a", "x")),
          no("tags an array", o -> o.putArray("tags"), "tags"),
          no("level beyond byte", o -> o.put("level", 200), "level"),
          ok("level at byte's minimum", o -> o.put("level", -128)),
          no("gift a string", o -> o.put("gift", "true"), "gift"),
          no("gift missing (a primitive)", o -> o.remove("gift"), "gift"),
          no("at not a time", o -> o.put("at", "yesterday"), "at"),
          no("at empty", o -> o.put("at", ""), "at"),
          ok("at with an offset", o -> o.put("at", "2026-11-25T19:43:13+01:00")),
          no("day the 30th of February", o -> o.put("day", "2026-02-30"), "day"),
          ok("day the 29th of February of a leap year", o -> o.put("day", "2028-02-29")),
          no("ref not a UUID", o -> o.put("ref", "not-a-uuid"), "ref"),
          no("labels a string", o -> o.put("labels", "a"), "labels"),
          ok(
              "labels with a duplicate (a set in Java)",
              o -> o.putArray("labels").add("a").add("a")),
          no("x-note a number", o -> o.put("x-note", 5), "x-note"),
          ok("note under its Java name is an unknown property", o -> o.put("note", 5)),
          ok("an unknown property", o -> o.put("extra", List.of(1).toString())));

  private static ObjectNode validOrder() {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", "A-1");
    o.put("email", "ann@example.com");
    o.put("code", "AB123");
    o.putArray("items").addObject().put("name", "apple").put("qty", 2);
    o.put("priority", 1);
    o.put("weight", 1.25);
    o.put("color", "RED");
    o.put("level", 3);
    o.put("gift", false);
    o.put("at", "2026-11-25T18:43:13.464Z");
    o.put("day", "2026-11-25");
    o.put("ref", "123e4567-e89b-12d3-a456-426614174000");
    o.put("x-note", "leave at the door");
    return o;
  }

  @Test
  void javaAndTheGeneratedSchemaAcceptAndRefuseTheSamePayloadsWithTheSamePaths() throws Exception {
    assertThat(ROWS).hasSizeGreaterThanOrEqualTo(30);
    Node.require();
    Node.install(CLIENT);

    List<JsonNode> payloads = new ArrayList<>();
    for (Parity.Row row : ROWS) {
      ObjectNode o = validOrder();
      row.change().accept(o);
      payloads.add(o);
    }
    // Not an object at all, and null: refused at the root by both.
    payloads.add(JSON.getNodeFactory().stringNode("an order"));
    payloads.add(JSON.getNodeFactory().nullNode());

    List<List<String>> java = new ArrayList<>();
    for (JsonNode p : payloads) {
      java.add(javaPaths(p));
    }
    for (int i = 0; i < ROWS.size(); i++) {
      assertThat(java.get(i)).as("Java: " + ROWS.get(i).what()).isEqualTo(ROWS.get(i).refused());
    }
    assertThat(java.subList(ROWS.size(), java.size())).containsOnly(List.of(""));

    List<List<String>> zod = zodPaths(payloads);
    for (int i = 0; i < payloads.size(); i++) {
      String what = i < ROWS.size() ? ROWS.get(i).what() : payloads.get(i).toString();
      assertThat(zod.get(i)).as("zod: " + what).isEqualTo(java.get(i));
    }
  }

  // ------------------------------------------------------------------ unions, recursion, generics

  /** A row for a route of {@link Shapes.Boards}: the payload, and the paths Java must refuse. */
  private record ShapeRow(String what, String route, JsonNode payload, List<String> refused) {}

  private static final String VALID_BOARD =
      """
      {"main": {"kind": "circle", "radius": 1},
       "shapes": [{"kind": "square", "side": 2, "label": "a"},
                  {"kind": "group", "shapes": [{"kind": "circle", "radius": 3}]}],
       "thread": {"text": "root", "replies": [{"text": "child", "replies": [{"text": "leaf"}]}]},
       "todos": {"items": [{"title": "milk", "done": false, "priority": "HIGH"}], "total": 1},
       "tags": {"items": ["a", null], "total": 2},
       "pet": {"type": "cat", "name": "Tom", "lives": 9}}
      """;

  /** A change to the valid board: the object at a JSON pointer, changed. */
  private static ShapeRow board(
      String what, String pointer, Consumer<ObjectNode> change, String... refused) {
    ObjectNode o = (ObjectNode) JSON.readTree(VALID_BOARD);
    change.accept((ObjectNode) o.at(pointer));
    return new ShapeRow(what, "draw", o, List.of(refused));
  }

  /** A payload of the route whose payload is a union. */
  private static ShapeRow shape(String what, String json, String... refused) {
    return new ShapeRow(what, "todos", JSON.readTree(json), List.of(refused));
  }

  private static final List<ShapeRow> SHAPE_ROWS =
      List.of(
          board("the valid board", "", o -> {}),
          board("main missing (@NotNull)", "", o -> o.remove("main"), "main"),
          board("main null", "", o -> o.putNull("main"), "main"),
          board("main without its type id", "/main", o -> o.remove("kind"), "main.kind"),
          board("main an unknown type id", "/main", o -> o.put("kind", "triangle"), "main.kind"),
          board("type ids are case-sensitive", "/main", o -> o.put("kind", "Circle"), "main.kind"),
          board("a type id that is a number", "/main", o -> o.put("kind", 5), "main.kind"),
          board("main a string", "", o -> o.put("main", "circle"), "main"),
          board("main an array", "", o -> o.putArray("main"), "main"),
          board("a circle's radius a string", "/main", o -> o.put("radius", "1"), "main.radius"),
          board(
              "a circle's radius zero (@Positive)",
              "/main",
              o -> o.put("radius", 0),
              "main.radius"),
          board(
              "the type id after the other properties",
              "",
              o -> o.set("main", JSON.readTree("{\"radius\": 1, \"kind\": \"circle\"}"))),
          board("a square with a null label", "/shapes/0", o -> o.putNull("label")),
          board(
              "a square with a circle's property (ignored)", "/shapes/0", o -> o.put("radius", 5)),
          board(
              "a square's side missing (a primitive)",
              "/shapes/0",
              o -> o.remove("side"),
              "shapes[0].side"),
          board("a null shape in the list", "", o -> o.withArray("shapes").addNull()),
          board(
              "a shape that is a number", "", o -> o.withArray("shapes").insert(0, 7), "shapes[0]"),
          board(
              "a group without shapes (@NotEmpty)",
              "/shapes/1",
              o -> o.putArray("shapes"),
              "shapes[1].shapes"),
          board(
              "a null shape in a group (@NotNull element)",
              "/shapes/1",
              o -> o.withArray("shapes").addNull(),
              "shapes[1].shapes[1]"),
          board(
              "a shape in a group without its type id",
              "/shapes/1/shapes/0",
              o -> o.remove("kind"),
              "shapes[1].shapes[0].kind"),
          board(
              "a group in a group with a bad circle",
              "/shapes/1",
              o ->
                  o.withArray("shapes")
                      .add(
                          JSON.readTree(
                              "{\"kind\": \"group\", \"shapes\": [{\"kind\": \"circle\", "
                                  + "\"radius\": -1}]}")),
              "shapes[1].shapes[1].shapes[0].radius"),
          board("a blank comment", "/thread", o -> o.put("text", " "), "thread.text"),
          board(
              "a blank reply two levels down",
              "/thread/replies/0/replies/0",
              o -> o.put("text", ""),
              "thread.replies[0].replies[0].text"),
          board(
              "a reply two levels down without text",
              "/thread/replies/0/replies/0",
              o -> o.remove("text"),
              "thread.replies[0].replies[0].text"),
          board("replies a string", "/thread", o -> o.put("replies", "none"), "thread.replies"),
          board(
              "replies null two levels down",
              "/thread/replies/0/replies/0",
              o -> o.putNull("replies")),
          board("a null reply", "/thread", o -> o.withArray("replies").addNull()),
          board(
              "a to-do with a blank title",
              "/todos/items/0",
              o -> o.put("title", "\t"),
              "todos.items[0].title"),
          board(
              "a to-do with an unknown priority",
              "/todos/items/0",
              o -> o.put("priority", "MID"),
              "todos.items[0].priority"),
          board("a negative total", "/todos", o -> o.put("total", -1), "todos.total"),
          board("a page without items (@NotNull)", "/todos", o -> o.remove("items"), "todos.items"),
          board(
              "a page of strings with a number",
              "/tags",
              o -> o.withArray("items").add(3),
              "tags.items[2]"),
          board(
              "a page of strings with an object",
              "/tags",
              o -> o.withArray("items").addObject(),
              "tags.items[2]"),
          board("the tags null", "", o -> o.putNull("tags")),
          board("a pet without its type id", "/pet", o -> o.remove("type"), "pet.type"),
          board(
              "a pet whose id is under the default name",
              "/pet",
              o -> {
                o.remove("type");
                o.put("kind", "cat");
              },
              "pet.type"),
          board(
              "a dog with a blank name",
              "",
              o ->
                  o.set(
                      "pet", JSON.readTree("{\"type\": \"dog\", \"name\": \" \", \"good\": true}")),
              "pet.name"),
          board("a cat with a fraction of a life", "/pet", o -> o.put("lives", 8.5), "pet.lives"),
          shape("a union payload", "{\"kind\": \"square\", \"side\": 1}"),
          shape("a union payload without its type id", "{\"side\": 1}", "kind"),
          shape("a union payload with an unknown type id", "{\"kind\": \"x\"}", "kind"),
          shape("a union payload that is an array", "[]", ""),
          shape("a union payload that is a number", "1", ""),
          shape(
              "a union payload whose record is invalid",
              "{\"kind\": \"group\", \"shapes\": []}",
              "shapes"));

  @Test
  void unionsRecursiveAndGenericRecordsAreAcceptedAndRefusedAlikeWithTheSamePaths()
      throws Exception {
    assertThat(SHAPE_ROWS).hasSizeGreaterThanOrEqualTo(20);
    Node.require();
    Node.install(CLIENT);
    List<List<String>> java = new ArrayList<>();
    for (ShapeRow row : SHAPE_ROWS) {
      java.add(javaPaths(Shapes.Boards.class, "shapes." + row.route(), row.payload()));
      assertThat(java.get(java.size() - 1)).as("Java: " + row.what()).isEqualTo(row.refused());
    }
    ArrayNode all = JSON.createArrayNode();
    for (ShapeRow row : SHAPE_ROWS) {
      all.addArray().add(row.route()).add(row.payload());
    }
    List<List<String>> zod =
        zodPaths(
            "shapes-parity",
            Shapes.Boards.class,
            """
            const routes: Record<string, { payload: z.ZodType }> = contract.routes.shapes;
            const parse = ([route, p]: [string, unknown]) => routes[route]!.payload.safeParse(p);
            """,
            all);
    for (int i = 0; i < SHAPE_ROWS.size(); i++) {
      assertThat(zod.get(i)).as("zod: " + SHAPE_ROWS.get(i).what()).isEqualTo(java.get(i));
    }
  }

  /** The distinct paths Java refuses a payload of a route with, sorted. */
  private static List<String> javaPaths(Class<?> contract, String route, JsonNode payload)
      throws Exception {
    ObjectMapper mapper = JsonMappers.configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS);
    JsonCodec codec = new JsonCodec(mapper);
    MessageReader reader = new MessageReader(codec, new PayloadValidator(mapper), true);
    RouteDescriptor found =
        Contracts.of(contract).routes().stream()
            .filter(r -> r.route().equals(route))
            .findFirst()
            .orElseThrow();
    codec.checkMappable(found);
    ObjectNode envelope = JSON.createObjectNode().put("type", found.route());
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
   * The distinct paths the generated schema refuses each entry with, sorted, under Node: {@code
   * parse} is TypeScript defining {@code parse(entry)}, given the module's {@code contract} and
   * {@code z}.
   */
  private static List<List<String>> zodPaths(
      String name, Class<?> contract, String parse, ArrayNode entries) throws Exception {
    Path dir = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(dir);
    Path modules = dir.resolve("node_modules");
    if (!Files.exists(modules, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(modules, CLIENT.resolve("node_modules"));
    }
    TypeScriptGenerator.builder().routes(contract).build().write(dir.resolve("contract.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.writeString(
        dir.resolve("parity.ts"),
        """
        import { readFileSync } from "node:fs";
        import * as z from "zod";
        import { contract } from "./contract.js";

        const entries: [string, unknown][] = JSON.parse(readFileSync(process.argv[2], "utf8"));
        const path = (p: PropertyKey[]) =>
          p.reduce<string>((s, k) => typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k), "");
        """
            + parse
            + """
            const out = entries.map((e) => {
              const r = parse(e);
              return r.success ? [] : [...new Set(r.error.issues.map((i) => path(i.path)))].sort();
            });
            console.log(JSON.stringify(out));
            """);
    Files.write(dir.resolve("payloads.json"), JSON.writeValueAsBytes(entries));
    Toolchain.compile(dir, "contract.ts", "parity.ts");
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

  /** The distinct paths Java refuses a payload of {@code shop.orders.place} with, sorted. */
  private static List<String> javaPaths(JsonNode payload) throws Exception {
    ObjectMapper mapper = JsonMappers.configure(JsonMapper.builder().build(), JsonLimits.DEFAULTS);
    MessageReader reader =
        new MessageReader(new JsonCodec(mapper), new PayloadValidator(mapper), true);
    RouteDescriptor place =
        Contracts.of(Shop.Orders.class).routes().stream()
            .filter(r -> r.route().equals("shop.orders.place"))
            .findFirst()
            .orElseThrow();
    ObjectNode envelope = JSON.createObjectNode().put("type", place.route());
    envelope.set("payload", payload);
    byte[] bytes = JSON.writeValueAsBytes(envelope);
    MessageReader.Routed routed = () -> place;
    MessageReader.Message<?> message = reader.read(bytes, 0, bytes.length, t -> routed);
    assertThat(message).isNotNull();
    if (message.error() == null) {
      return List.of();
    }
    assertThat(message.error()).isInstanceOf(InvalidPayloadException.class);
    return List.copyOf(
        new TreeSet<>(message.error().details().stream().map(Violation::path).toList()));
  }

  /** The distinct paths the generated schema refuses each payload with, sorted, under Node. */
  private static List<List<String>> zodPaths(List<JsonNode> payloads) throws Exception {
    Path dir = Path.of("target", "parity").toAbsolutePath();
    Files.createDirectories(dir);
    Path modules = dir.resolve("node_modules");
    if (!Files.exists(modules, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(modules, CLIENT.resolve("node_modules"));
    }
    TypeScriptGenerator.builder()
        .routes(Shop.Orders.class)
        .events(Shop.ShopEvents.class)
        .headers(Shop.Headers.class)
        .build()
        .write(dir.resolve("shop.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    Files.writeString(
        dir.resolve("parity.ts"),
        """
        import { readFileSync } from "node:fs";
        import { contract } from "./shop.js";

        const payloads: unknown[] = JSON.parse(readFileSync(process.argv[2], "utf8"));
        const path = (p: PropertyKey[]) =>
          p.reduce<string>((s, k) => typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k), "");
        const out = payloads.map((p) => {
          const r = contract.routes.shop.orders.place.payload.safeParse(p);
          return r.success ? [] : [...new Set(r.error.issues.map((i) => path(i.path)))].sort();
        });
        console.log(JSON.stringify(out));
        """);
    ArrayNode all = JSON.createArrayNode();
    payloads.forEach(all::add);
    Files.write(dir.resolve("payloads.json"), JSON.writeValueAsBytes(all));
    Toolchain.compile(dir, "shop.ts", "parity.ts");
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
