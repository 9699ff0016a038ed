package dev.zocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boundaries of the published modules as an application sees them: a module of its own ({@code
 * outsider}), compiled against the built modules on the module path, reaches their API but not
 * their internals, which are exported to Zocket's own modules only; the test kit holds no internals
 * at all.
 */
class ModuleBoundaryTest {
  @TempDir Path dir;

  @Test
  void anOutsideModuleCompilesAgainstTheApi() throws IOException {
    List<String> errors =
        compile(
            "requires dev.zocket.core;",
            """
            import tools.jackson.databind.JacksonModule;
            import dev.zocket.JsonBinding;
            import dev.zocket.JsonLimits;
            import dev.zocket.spi.Backplane;

            public final class Probe {
              // Jackson's module type, readable through dev.zocket.core alone (requires transitive).
              public static JacksonModule lenient() {
                return JsonBinding.lenient();
              }

              public static JsonLimits limits() {
                return JsonLimits.DEFAULTS;
              }

              public static Class<?> spi() {
                return Backplane.class;
              }
            }
            """);

    assertThat(errors).isEmpty();
  }

  @Test
  void anOutsideModuleCannotCompileAgainstTheInternals() throws IOException {
    List<String> errors =
        compile(
            "requires dev.zocket.core;",
            """
            import dev.zocket.JsonLimits;
            import dev.zocket.internal.JsonCodec;

            public final class Probe {
              public static JsonCodec codec() {
                return JsonCodec.defaults();
              }

              public static JsonLimits limits() {
                return JsonLimits.DEFAULTS;
              }
            }
            """);

    assertThat(errors)
        .anySatisfy(
            e ->
                assertThat(e)
                    .contains("package dev.zocket.internal is not visible")
                    .contains("does not export it to module outsider"));
  }

  @Test
  void anOutsideModuleCompilesAgainstTheTestKit() throws IOException {
    List<String> errors =
        compile(
            "requires dev.zocket.test;",
            """
            import dev.zocket.test.Await;

            public final class Probe {
              public static void ready() {
                Await.until("ready", () -> true);
              }
            }
            """);

    assertThat(errors).isEmpty();
  }

  /**
   * The published test kit is the applications' kit only: Zocket's own test support is a module of
   * its own ({@code dev.zocket.testsupport}), which is not published.
   */
  @Test
  void theTestKitHoldsNoInternals() throws URISyntaxException {
    Path kit = Path.of(Await.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor descriptor =
        ModuleFinder.of(kit).find("dev.zocket.test").orElseThrow().descriptor();

    assertThat(descriptor.packages()).containsExactly("dev.zocket.test");
    assertThat(descriptor.exports())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.source()).isEqualTo("dev.zocket.test");
              assertThat(e.isQualified()).isFalse();
            });
  }

  /**
   * Compiles the module {@code outsider}, with the given directive and the class {@code
   * outsider.Probe}, against this test's class path (the built modules and their dependencies) as
   * the module path; returns the compiler's errors.
   */
  private List<String> compile(String directive, String probe) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/outsider"));
    Path moduleInfo = dir.resolve("src/module-info.java");
    Files.writeString(moduleInfo, "module outsider {\n  " + directive + "\n}\n", UTF_8);
    Path probeFile = src.resolve("Probe.java");
    Files.writeString(probeFile, "package outsider;\n\n" + probe, UTF_8);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, UTF_8)) {
      List<String> options =
          List.of(
              "-d",
              Files.createDirectories(dir.resolve("out")).toString(),
              "--module-path",
              modulePath(),
              // Nothing on the class path: by default it is this test's, all of it readable.
              "--class-path",
              Files.createDirectories(dir.resolve("empty")).toString());
      StringWriter out = new StringWriter();
      boolean compiled =
          javac
              .getTask(
                  out,
                  files,
                  diagnostics,
                  options,
                  null,
                  files.getJavaFileObjects(moduleInfo, probeFile))
              .call();
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          errors.add(d.getMessage(Locale.ROOT));
        }
      }
      assertThat(compiled)
          .as("compiled, with errors %s and output %s", errors, out)
          .isEqualTo(errors.isEmpty());
      return errors;
    }
  }

  /** This test's class path, less its own classes (which are no module). */
  private static String modulePath() {
    String own;
    try {
      own =
          Path.of(
                  ModuleBoundaryTest.class
                      .getProtectionDomain()
                      .getCodeSource()
                      .getLocation()
                      .toURI())
              .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<String> path = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty() && !Path.of(entry).toString().equals(own)) {
        path.add(entry);
      }
    }
    return String.join(File.pathSeparator, path);
  }
}
