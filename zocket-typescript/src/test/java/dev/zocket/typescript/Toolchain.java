package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The TypeScript client's package ({@code clients/typescript}, installed by its npm build) as the
 * tests use it: its modules linked into a test's folder, and its TypeScript compiler run as the
 * tests compile their scripts ({@code --strict}, ES2022 modules for Node, into {@code out/}).
 */
final class Toolchain {
  /** The TypeScript client's package, with its node_modules. */
  static final Path CLIENT = Path.of("..", "clients", "typescript").toAbsolutePath();

  private static boolean clientBuilt;

  private Toolchain() {}

  /**
   * Installs the client package's dependencies and builds its {@code dist/} from its sources, once
   * per test JVM: the tests of this module run one after the other in one JVM, and none changes the
   * package's sources. Fails the test with npm's output if the build fails.
   */
  static synchronized void buildClient() {
    Node.install(CLIENT);
    if (!clientBuilt) {
      Node.Result build = Node.run(CLIENT, Duration.ofMinutes(2), "npm", "run", "build");
      assertThat(build.exitCode()).as(build.output()).isZero();
      clientBuilt = true;
    }
  }

  /**
   * Makes {@code dir/node_modules} link the client package's dependencies and the package itself
   * (as {@code zocket-java-client}), so that scripts in {@code dir} import both as an application
   * would.
   *
   * @param dir the test's folder
   * @throws IOException if a link cannot be made
   */
  static void linkModules(Path dir) throws IOException {
    Path modules = dir.resolve("node_modules");
    Files.createDirectories(modules);
    List<Path> entries = new ArrayList<>();
    try (Stream<Path> list = Files.list(CLIENT.resolve("node_modules"))) {
      list.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(entries::add);
    }
    for (Path entry : entries) {
      link(modules.resolve(entry.getFileName().toString()), entry);
    }
    link(modules.resolve("zocket-java-client"), CLIENT);
  }

  private static void link(Path link, Path target) throws IOException {
    if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(link, target);
    }
  }

  /**
   * Compiles files of a folder, which needs a {@code package.json} saying {@code "type": "module"},
   * and fails the test with the compiler's output unless it succeeds.
   *
   * <p>The files given are checked in full; the declaration files they import (zod's, Node's, the
   * client package's {@code dist/}) are not checked again ({@code --skipLibCheck}), which takes
   * each compile from about 6 s to 2 s. Those are checked where that is the point: the client
   * package's own build and type tests ({@code skipLibCheck: false}, run by {@link
   * TypeScriptClientTest}) and the packed client's consumer project in the chat example.
   *
   * @param dir the folder, where {@code out/} is written
   * @param files the files to compile, relative to it
   */
  static void compile(Path dir, String... files) {
    List<String> command =
        new ArrayList<>(
            List.of(
                CLIENT.resolve("node_modules/.bin/tsc").toString(),
                "--strict",
                "--skipLibCheck",
                "--target",
                "es2022",
                "--module",
                "nodenext",
                "--types",
                "node",
                "--outDir",
                "out"));
    command.addAll(List.of(files));
    Node.Result compiled = Node.run(dir, Duration.ofMinutes(2), command.toArray(new String[0]));
    assertThat(compiled.exitCode()).as(compiled.output()).isZero();
  }
}
