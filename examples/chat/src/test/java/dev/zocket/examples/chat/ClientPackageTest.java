package dev.zocket.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TypeScript client as a user gets it from npm: {@code npm pack} in {@code clients/typescript}
 * (its {@code prepack} builds {@code dist/}), the tarball installed into a fresh project beside zod
 * (a peer dependency, so one zod), the package README's quick start type-checked against the chat
 * contract and run against a real chat server. Needs Node.js (skipped without it, failing under
 * CI); installs from the npm cache where it can, from the registry otherwise.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
final class ClientPackageTest {
  private static final Path CLIENT = Path.of("..", "..", "clients", "typescript").toAbsolutePath();
  private static final Path CONTRACT =
      Path.of("..", "chat-ts", "src", "generated", "chat.ts").toAbsolutePath();
  private static final String README_URL = "ws://localhost:3000/";

  @Test
  void thePackedTarballInstallsTypeChecksTheQuickStartAndRunsItAgainstTheServer()
      throws IOException {
    Node.require();
    Node.install(CLIENT);
    Path dir = Path.of("target", "client-package").toAbsolutePath();
    delete(dir);
    Path app = Files.createDirectories(dir.resolve("app").resolve("generated"));
    app = app.getParent();

    // npm pack: the tarball holds the built package and nothing of the tests.
    Node.Result pack =
        npm(CLIENT, "pack", "--pack-destination", dir.toString(), "--loglevel=error");
    String tarball = "zocket-java-client-" + version() + ".tgz";
    assertThat(pack.output()).contains(tarball);
    Path tgz = dir.resolve(tarball);
    System.out.println("zocket-java-client tarball: " + Files.size(tgz) + " bytes");
    Node.Result listing = Node.run(dir, Duration.ofMinutes(1), "tar", "tzf", tarball);
    assertThat(listing.output().lines())
        .contains(
            "package/package.json",
            "package/dist/index.js",
            "package/dist/index.d.ts",
            "package/README.md",
            "package/CHANGELOG.md",
            "package/LICENSE")
        .noneMatch(f -> f.contains("test") || f.contains("node_modules"));

    // A fresh project: the tarball, zod beside it, and what Node needs (ws) and tsc.
    Files.writeString(
        app.resolve("package.json"),
        "{\"name\": \"quick-start\", \"private\": true, \"type\": \"module\"}\n");
    List<String> install =
        new ArrayList<>(
            List.of("install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"));
    install.add(tgz.toString());
    for (String dev : List.of("zod", "ws", "@types/ws", "@types/node", "typescript")) {
      install.add(dev + "@" + installedVersion(dev));
    }
    npm(app, install.toArray(String[]::new));
    assertThat(app.resolve("node_modules/zod/package.json")).exists();
    assertThat(app.resolve("node_modules/zocket-java-client/node_modules"))
        .as("zod is a peer dependency: the client must not bring its own")
        .doesNotExist();

    // The README's quick start, against the chat contract the build generated.
    String quickStart = quickStart();
    assertThat(quickStart).contains(README_URL);
    Files.copy(CONTRACT, app.resolve("generated").resolve("chat.ts"));
    // The types are the package's, not any: a wrong reply type is an error.
    Files.writeString(
        app.resolve("mistake.ts"),
        """
        import { createClient } from "zocket-java-client";
        import { contract } from "./generated/chat.js";

        const client = createClient(contract, "ws://localhost:3000/");
        // @ts-expect-error the members' names may be null
        const members: string[] = await client.send.rooms.members({ roomId: "general" });
        // @ts-expect-error there is no such route
        client.send.rooms.shout({ roomId: "general" });
        export { members };
        """);

    try (ChatServer server = ChatServer.start("127.0.0.1", 0)) {
      Files.writeString(
          app.resolve("quick-start.ts"),
          quickStart.replace(README_URL, "ws://127.0.0.1:" + server.port() + "/"));
      tsc(app, "quick-start.ts", "mistake.ts", "generated/chat.ts");
      Node.Result run = Node.run(app, Duration.ofMinutes(1), "node", "out/quick-start.js");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output().lines()).containsSubsequence("[general] Alice: hi", "members: Alice");
    }
  }

  /** The ```ts block under the package README's "Quick start". */
  private static String quickStart() throws IOException {
    String readme = Files.readString(CLIENT.resolve("README.md"));
    Matcher m =
        Pattern.compile("## Quick start\\n.*?```ts\\n(.*?)```\\n", Pattern.DOTALL).matcher(readme);
    assertThat(m.find()).as("a ```ts block under ## Quick start in the README").isTrue();
    return m.group(1);
  }

  private static void tsc(Path app, String... files) {
    List<String> command =
        new ArrayList<>(
            List.of(
                app.resolve("node_modules/.bin/tsc").toString(),
                "--strict",
                "--target",
                "es2022",
                "--module",
                "nodenext",
                "--types",
                "node",
                "--outDir",
                "out"));
    command.addAll(List.of(files));
    Node.Result r = Node.run(app, Duration.ofMinutes(2), command);
    assertThat(r.exitCode()).as("tsc " + String.join(" ", files) + ":\n" + r.output()).isZero();
  }

  private static Node.Result npm(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("npm"));
    command.addAll(List.of(args));
    Node.Result r = Node.run(dir, Duration.ofMinutes(3), command);
    assertThat(r.exitCode())
        .as(String.join(" ", command) + " in " + dir + ":\n" + r.output())
        .isZero();
    return r;
  }

  /** The client package's version, from its package.json. */
  private static String version() throws IOException {
    return field(CLIENT.resolve("package.json"), "version");
  }

  /** The version of a package the client's own install has (so it is in the npm cache). */
  private static String installedVersion(String name) throws IOException {
    return field(CLIENT.resolve("node_modules").resolve(name).resolve("package.json"), "version");
  }

  private static String field(Path packageJson, String name) throws IOException {
    Matcher m =
        Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"")
            .matcher(Files.readString(packageJson));
    assertThat(m.find()).as(name + " in " + packageJson).isTrue();
    return m.group(1);
  }

  private static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
