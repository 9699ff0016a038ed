package dev.zocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The files the documentation shows whole cannot drift from it: in every Markdown file of the
 * repository, a fenced code block preceded by the marker {@code <!-- the file PATH -->} (on its own
 * line, then nothing but blank lines before the opening fence) must be the file at {@code PATH},
 * relative to the Markdown file's folder, byte for byte. The file is the one a build uses, so the
 * snippet is built and tested as it is shown: README.md's {@code pom.xml} is the consumer project
 * {@code zocket-it/src/it/hello-world}, which maven-invoker builds from an empty local repository.
 *
 * <p>Mark more blocks the same way; a marker without a block, or naming a file that does not exist,
 * fails too.
 */
class DocumentedFilesTest {
  /** The repository's root: tests run in their module's folder. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Pattern MARKER = Pattern.compile("^<!-- the file (\\S+) -->$");
  private static final Pattern FENCE = Pattern.compile("^(`{3,}|~{3,})");

  @Test
  void everyMarkedBlockIsItsFile() throws IOException {
    List<String> problems = new ArrayList<>();
    int blocks = 0;
    for (Path markdown : markdownFiles(ROOT)) {
      blocks += check(markdown, problems);
    }

    assertThat(problems).isEmpty();
    assertThat(blocks).isPositive();
  }

  @Test
  void theReadmeShowsTheConsumerProjectsPom() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve("README.md"), UTF_8))
        .contains("<!-- the file zocket-it/src/it/hello-world/pom.xml -->");
  }

  /**
   * The README's pom names the version this build makes, which the consumer project is built on.
   */
  @Test
  void theReadmesPomUsesThisBuildsVersion() throws Exception {
    assertThat(property(ROOT.resolve("zocket-it/src/it/hello-world/pom.xml"), "zocket.version"))
        .isEqualTo(projectVersion());
  }

  /** The Spring Boot section's pom is the Spring Boot consumer project's, on this build's version. */
  @Test
  void theReadmeShowsTheSpringBootConsumerProjectsPom() throws Exception {
    assertThat(Files.readAllLines(ROOT.resolve("README.md"), UTF_8))
        .contains("<!-- the file zocket-it/src/it/spring-boot/pom.xml -->");
    assertThat(property(ROOT.resolve("zocket-it/src/it/spring-boot/pom.xml"), "zocket.version"))
        .isEqualTo(projectVersion());
  }

  @Test
  void aBlockThatDiffersFromItsFileIsReported(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("pom.xml"), "<project>\n  <version>1.0</version>\n</project>\n");
    Files.writeString(
        dir.resolve("README.md"),
        """
        Same:

        <!-- the file pom.xml -->

        ```xml
        <project>
          <version>1.0</version>
        </project>
        ```

        Different:
        <!-- the file pom.xml -->
        ```xml
        <project>
          <version>2.0</version>
        </project>
        ```

        <!-- the file missing.xml -->
        ```xml
        ```

        <!-- the file pom.xml -->
        No block.
        """);
    List<String> problems = new ArrayList<>();

    int blocks = check(dir.resolve("README.md"), problems);

    assertThat(blocks).isEqualTo(4);
    assertThat(problems)
        .containsExactly(
            "README.md:12: the block differs from pom.xml at its line 2:\n"
                + "  block: '  <version>2.0</version>'\n"
                + "  file:  '  <version>1.0</version>'",
            "README.md:19: marks missing.xml, which does not exist",
            "README.md:23: the marker is not followed by a fenced code block");
  }

  /** The Markdown files of the repository, less build output, dependencies and hidden folders. */
  private static List<Path> markdownFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".md"))
          .filter(p -> Files.isRegularFile(p))
          .filter(
              p -> {
                for (Path part : root.relativize(p.getParent() == null ? p : p.getParent())) {
                  String name = part.toString();
                  if (name.startsWith(".")
                      || name.startsWith("target")
                      || name.equals("node_modules")
                      || name.equals("dist")) {
                    return false;
                  }
                }
                return true;
              })
          .sorted()
          .toList();
    }
  }

  /**
   * Checks the marked blocks of one Markdown file, adding a line per problem to {@code problems};
   * returns the number of markers found.
   */
  private static int check(Path markdown, List<String> problems) throws IOException {
    List<String> lines = Files.readAllLines(markdown, UTF_8);
    String name =
        markdown.startsWith(ROOT)
            ? ROOT.relativize(markdown).toString()
            : markdown.getFileName().toString();
    int markers = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher marker = MARKER.matcher(lines.get(i));
      if (!marker.matches()) {
        continue;
      }
      markers++;
      String at = name + ":" + (i + 1) + ": ";
      String target = marker.group(1);
      int open = i + 1;
      while (open < lines.size() && lines.get(open).isBlank()) {
        open++;
      }
      Matcher fence = open < lines.size() ? FENCE.matcher(lines.get(open)) : null;
      if (fence == null || !fence.find()) {
        problems.add(at + "the marker is not followed by a fenced code block");
        continue;
      }
      String closing = fence.group(1);
      int close = open + 1;
      while (close < lines.size() && !lines.get(close).strip().startsWith(closing)) {
        close++;
      }
      if (close == lines.size()) {
        problems.add(at + "the fenced code block is not closed");
        continue;
      }
      Path file = markdown.getParent().resolve(target).normalize();
      if (!Files.isRegularFile(file)) {
        problems.add(at + "marks " + target + ", which does not exist");
        continue;
      }
      List<String> block = lines.subList(open + 1, close);
      String expected = block.isEmpty() ? "" : String.join("\n", block) + "\n";
      String actual = Files.readString(file, UTF_8);
      if (!actual.equals(expected)) {
        problems.add(at + difference(target, block, actual));
      }
      i = close;
    }
    return markers;
  }

  /** Where a block and its file first differ, for a message that points at it. */
  private static String difference(String target, List<String> block, String file) {
    List<String> fileLines = file.lines().toList();
    int n = Math.min(block.size(), fileLines.size());
    for (int k = 0; k < n; k++) {
      if (!block.get(k).equals(fileLines.get(k))) {
        return "the block differs from "
            + target
            + " at its line "
            + (k + 1)
            + ":\n  block: '"
            + block.get(k)
            + "'\n  file:  '"
            + fileLines.get(k)
            + "'";
      }
    }
    if (block.size() != fileLines.size()) {
      return "the block has " + block.size() + " lines, " + target + " " + fileLines.size();
    }
    return "the block differs from " + target + " in line endings or the final newline";
  }

  /** The version of this build: the root POM's. */
  private static String projectVersion() throws Exception {
    return child(document(ROOT.resolve("pom.xml")), "version");
  }

  /** A property of a POM's {@code <properties>}. */
  private static String property(Path pom, String name) throws Exception {
    Element properties = (Element) document(pom).getElementsByTagName("properties").item(0);
    return child(properties, name);
  }

  private static Element document(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
  }

  /** The text of an element's direct child, or null. */
  private static String child(Element parent, String name) {
    for (var node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element e && e.getTagName().equals(name)) {
        return e.getTextContent().strip();
      }
    }
    return null;
  }
}
