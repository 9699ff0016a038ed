package dev.zocket.typescript;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Context;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.Node;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's TypeScript hello world runs as shown: the hello world's own contract and handler
 * (the sources of the consumer project {@code zocket-it/src/it/hello-world}, compiled here), its
 * TypeScript module generated from that contract, and {@code src/test/typescript/hello-world.ts}
 * (whose region the README includes) compiled with {@code tsc --strict} and run under Node against
 * a real server. Needs Node.js (skipped without it, failing under CI).
 */
class HelloWorldTypeScriptTest {
  private static final Path HELLO =
      Path.of("..", "zocket-it", "src", "it", "hello-world", "src", "main", "java", "com")
          .toAbsolutePath()
          .normalize();
  private static final Path SCRIPT = Path.of("src", "test", "typescript", "hello-world.ts");

  /** The URL the README's script connects to; the test points it at its own server's port. */
  private static final String README_URL = "ws://localhost:3000/";

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void theReadmesTypeScriptClientGetsTheReplyAndTheEvent() throws Exception {
    Node.require();
    Toolchain.buildClient();
    Path dir = Path.of("target", "hello-world-ts").toAbsolutePath();
    ClassLoader hello = compileHelloWorld(dir.resolve("classes"));
    Class<?> greeter = hello.loadClass("com.example.hello.Greeter");
    Class<?> events = hello.loadClass("com.example.hello.GreeterEvents");
    Constructor<?> handler =
        hello.loadClass("com.example.hello.GreeterHandler").getDeclaredConstructor(Context.class);
    handler.setAccessible(true);

    Toolchain.linkModules(dir);
    TypeScriptGenerator.builder()
        .routes(greeter)
        .events(events)
        .build()
        .write(dir.resolve("generated").resolve("hello.ts"));
    Files.writeString(dir.resolve("package.json"), "{\"type\": \"module\"}\n");
    String script = Files.readString(SCRIPT, UTF_8);
    assertThat(script).contains(README_URL);

    try (ZocketServer server = start(greeter, handler)) {
      Files.writeString(
          dir.resolve("hello-world.ts"),
          script.replace(README_URL, "ws://127.0.0.1:" + server.port() + "/"));
      Toolchain.compile(dir, "generated/hello.ts", "hello-world.ts");

      Node.Result ran = Node.run(dir, Duration.ofMinutes(1), "node", "out/hello-world.js");

      assertThat(ran.exitCode()).as(ran.output()).isZero();
      assertThat(ran.output().lines())
          .containsSubsequence("reply: Hello, Ada!", "event: Hello, Ada!");
    }
  }

  /** A server with the hello world's handler, as its {@code HelloWorld} starts it. */
  private static <T> ZocketServer start(Class<T> greeter, Constructor<?> handler) {
    return ZocketServer.builder()
        .handle(
            greeter,
            ctx -> {
              try {
                return greeter.cast(handler.newInstance(ctx));
              } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
              }
            })
        .host("127.0.0.1")
        .port(0)
        .start();
  }

  /** Compiles the hello world's sources (not its {@code HelloWorld}) and loads them. */
  private static ClassLoader compileHelloWorld(Path classes) throws IOException {
    Files.createDirectories(classes);
    // The test's class path and module path (Surefire may run the tests on either) as a class path.
    String classPath =
        Stream.of(System.getProperty("java.class.path"), System.getProperty("jdk.module.path"))
            .filter(p -> p != null && !p.isEmpty())
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d",
                classes.toString(),
                "-classpath",
                classPath,
                "-parameters",
                "-proc:none"));
    try (Stream<Path> files = Files.walk(HELLO)) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().equals("HelloWorld.java"))
          .forEach(p -> command.add(p.toString()));
    }
    Node.Result javac = Node.run(classes, Duration.ofMinutes(2), command);
    assertThat(javac.exitCode()).as(javac.output()).isZero();
    return new URLClassLoader(
        new URL[] {classes.toUri().toURL()}, HelloWorldTypeScriptTest.class.getClassLoader());
  }
}
