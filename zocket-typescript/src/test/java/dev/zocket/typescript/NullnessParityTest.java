package dev.zocket.typescript;

import static dev.zocket.typescript.Parity.no;
import static dev.zocket.typescript.Parity.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.Node;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSpecify nullness, {@code @Past}/{@code @Future} and {@code @Digits} through the Java side
 * (strict binding, the nullness check and Bean Validation) and through the generated zod schema
 * under Node: each payload of {@link Planner.Plans#save}, and each reply to the calls of {@link
 * Planner.Plans} and {@link Planner.Lists} (nullness and constraints on type arguments), is
 * accepted by both or refused by both, with the same paths. Dates are far from now, so the clocks
 * of Java and Node cannot disagree. The module is also type-checked under {@code tsc --strict}
 * against the nullness it declares. Needs Node.js (skipped without it, failing under CI).
 */
class NullnessParityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode step(ObjectNode plan, int i) {
    return (ObjectNode) plan.withArray("steps").get(i);
  }

  private static final List<Parity.Row> ROWS =
      List.of(
          ok("the valid plan", p -> {}),
          no("title null (@NullMarked)", p -> p.putNull("title"), "title"),
          no("title missing (@NullMarked)", p -> p.remove("title"), "title"),
          ok("subtitle null (@Nullable)", p -> p.putNull("subtitle")),
          ok("subtitle missing (@Nullable)", p -> p.remove("subtitle")),
          no("steps null", p -> p.putNull("steps"), "steps"),
          no("a null step (a non-null element)", p -> p.withArray("steps").addNull(), "steps[1]"),
          no("a step's name null", p -> step(p, 0).putNull("name"), "steps[0].name"),
          ok("a step's note null (@Nullable)", p -> step(p, 0).putNull("note")),
          ok("a null tag (List<@Nullable String>)", p -> p.withArray("tags").addNull()),
          no(
              "a null alias (a non-null array element)",
              p -> p.withArray("aliases").addNull(),
              "aliases[1]"),
          no("counts null", p -> p.putNull("counts"), "counts"),
          no(
              "created in the future (@Past)",
              p -> p.put("created", "2999-01-01T00:00:00Z"),
              "created"),
          ok(
              "created long ago with nanoseconds",
              p -> p.put("created", "2001-02-03T04:05:06.123456789Z")),
          no("created null", p -> p.putNull("created"), "created"),
          no("due in the past (@Future)", p -> p.put("due", "2001-01-01"), "due"),
          ok("due null (@Nullable)", p -> p.putNull("due")),
          no(
              "started in the future (@PastOrPresent)",
              p -> p.put("started", "2999-01-01T10:00:00"),
              "started"),
          no(
              "review in the past (@FutureOrPresent)",
              p -> p.put("review", "2001-01-01T00:00:00+02:00"),
              "review"),
          ok("review far ahead with an offset", p -> p.put("review", "2998-06-01T00:00:00-05:00")),
          ok("price with 3 integer and 2 fraction digits", p -> p.put("price", 123.45)),
          no("price with 4 integer digits (@Digits)", p -> p.put("price", 1234.5), "price"),
          no("price with 3 fraction digits", p -> p.put("price", 1.234), "price"),
          no("price 0.001", p -> p.put("price", 0.001), "price"),
          ok("price 100", p -> p.put("price", 100)),
          no("count 100 (@Digits(integer = 2))", p -> p.put("count", 100), "count"),
          ok("count -99", p -> p.put("count", -99)),
          ok("code 1234.5", p -> p.put("code", "1234.5")),
          no("code 12345", p -> p.put("code", "12345"), "code"),
          no("code 1.50 (a string's trailing zero counts)", p -> p.put("code", "1.50"), "code"),
          no("code not a number", p -> p.put("code", "abc"), "code"));

  /** A reply to a call: its route, its JSON ({@code PLAN} for the valid plan), and the paths. */
  private record Reply(Class<?> contract, String route, String json, List<String> refused) {}

  private static Reply reply(Class<?> contract, String route, String json, String... paths) {
    return new Reply(contract, route, json, List.of(paths));
  }

  private static final List<Reply> REPLIES =
      List.of(
          reply(Planner.Plans.class, "planner.all", "[PLAN]"),
          reply(Planner.Plans.class, "planner.all", "[PLAN, null]", "[1]"),
          reply(Planner.Plans.class, "planner.all", "null", ""),
          reply(Planner.Plans.class, "planner.all", "[TITLELESS]", "[0].title"),
          reply(Planner.Plans.class, "planner.some", "[PLAN, null]"),
          reply(Planner.Plans.class, "planner.loose", "{\"name\": null, \"items\": [null]}"),
          reply(Planner.Lists.class, "lists.steps", "[{\"name\": \"a\"}, null]", "[1]"),
          reply(Planner.Lists.class, "lists.names", "[\"ab\", \"abc\"]", "[1]"),
          reply(Planner.Lists.class, "lists.names", "[\"ab\", null]"),
          reply(Planner.Lists.class, "lists.plain", "[null]"));

  private static ObjectNode validPlan() {
    ObjectNode p = JSON.createObjectNode();
    p.put("title", "Launch");
    p.put("subtitle", "v1");
    p.putArray("steps").addObject().put("name", "build").put("note", "first");
    p.putArray("tags").add("a");
    p.putObject("counts").put("a", 1);
    p.putArray("aliases").add("x");
    p.put("created", "2001-02-03T04:05:06Z");
    p.put("due", "2999-12-31");
    p.put("started", "2001-02-03T04:05:06");
    p.put("review", "2999-01-01T00:00:00+01:00");
    p.put("price", 9.99);
    p.put("count", 3);
    p.put("code", "12.5");
    return p;
  }

  /** What the module's types say of nullness, checked by tsc --strict. */
  private static final String TYPES =
      """
      import * as z from "zod";
      import { contract, Plan, Loose } from "./contract.js";

      type Plans = z.infer<typeof contract.routes.planner.all.reply>;
      declare const plans: Plans;
      // A @NullMarked List<Plan>: its elements are Plans, not Plan | null.
      const first: Plan = plans[0];
      const title: string = first.title;
      const names: string[] = first.steps.map((s) => s.name);
      const aliases: string[] = first.aliases;
      const counts: Record<string, number> = first.counts;
      // @ts-expect-error: the elements of a @NullMarked list are not null
      const withNull: Plans = [first, null];
      // @ts-expect-error: a @NullMarked component is not optional
      const noTitle: Plan = { ...first, title: null };
      // @ts-expect-error: a @Nullable component may be null
      const subtitle: string = first.subtitle;
      // @ts-expect-error: so may the elements of a List<@Nullable String>
      const tags: string[] = first.tags;
      type Some = z.infer<typeof contract.routes.planner.some.reply>;
      const some: Some = [first, null];
      declare const loose: Loose;
      // @ts-expect-error: a @NullUnmarked record's components may be null, as without JSpecify
      const looseName: string = loose.name;
      export { title, names, aliases, counts, withNull, noTitle, subtitle, tags, some, looseName };
      """;

  @Test
  void javaAndTheGeneratedSchemaAgreeOnNullnessDatesAndDigits() throws Exception {
    assertThat(ROWS.size() + REPLIES.size()).isGreaterThanOrEqualTo(40);
    Node.require();
    Node.install(Toolchain.CLIENT);

    List<JsonNode> payloads = new ArrayList<>();
    for (Parity.Row row : ROWS) {
      ObjectNode p = validPlan();
      row.change().accept(p);
      payloads.add(p);
    }
    List<String> schemas = new ArrayList<>();
    for (int i = 0; i < ROWS.size(); i++) {
      schemas.add("planner.save.payload");
      assertThat(Parity.javaPaths(Planner.Plans.class, "planner.save", payloads.get(i)))
          .as("Java: " + ROWS.get(i).what())
          .isEqualTo(ROWS.get(i).refused());
    }
    ObjectNode titleless = validPlan();
    titleless.remove("title");
    for (Reply r : REPLIES) {
      JsonNode value =
          JSON.readTree(
              r.json()
                  .replace("PLAN", validPlan().toString())
                  .replace("TITLELESS", titleless.toString()));
      payloads.add(value);
      schemas.add(r.route() + ".reply");
      assertThat(Parity.javaReplyPaths(r.contract(), r.route(), value))
          .as("Java: the reply " + r.json() + " to " + r.route())
          .isEqualTo(r.refused());
    }
    List<List<String>> zod =
        Parity.zodPaths(
            "nullness-parity",
            List.of(Planner.Plans.class, Planner.Lists.class),
            schemas,
            payloads,
            "types.ts",
            TYPES);
    for (int i = 0; i < ROWS.size(); i++) {
      assertThat(zod.get(i)).as("zod: " + ROWS.get(i).what()).isEqualTo(ROWS.get(i).refused());
    }
    for (int i = 0; i < REPLIES.size(); i++) {
      Reply r = REPLIES.get(i);
      assertThat(zod.get(ROWS.size() + i))
          .as("zod: the reply " + r.json() + " to " + r.route())
          .isEqualTo(r.refused());
    }
  }
}
