package dev.zocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The code the documentation shows cannot drift from the code the build compiles and runs.
 *
 * <p>In every Markdown file of the repository, a fenced code block preceded by the marker {@code
 * <!-- the file PATH -->} (on its own line, then nothing but blank lines before the opening fence)
 * must be the file at {@code PATH}, relative to the Markdown file's folder, byte for byte. With
 * {@code <!-- the file PATH region NAME -->} the block must be the lines between the markers {@code
 * // region NAME} and {@code // endregion NAME} of that file ({@code # region NAME} in shell or
 * YAML, {@code <!-- region NAME -->} in XML), with the indentation they share removed; region
 * marker lines inside the region (of other, nested regions) are left out. The file is one the build
 * uses (a test, an example, an invoker project, a TypeScript file the build compiles), so the
 * snippet is built and tested as it is shown: the {@code pom.xml} of the getting-started page is
 * the consumer project {@code zocket-it/src/it/hello-world}, which maven-invoker builds from an
 * empty local repository.
 *
 * <p>In README.md and the pages of {@code docs/}, every {@code java}, {@code ts} or {@code
 * typescript} block must carry such a marker, or be marked {@code <!-- fragment -->} (a signature,
 * a one-line illustration, pseudo-code: code not meant to run as shown). A marker without a block,
 * naming a file or region that does not exist, fails too.
 */
class DocumentedFilesTest {
  /** The repository's root: tests run in their module's folder. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Pattern MARKER =
      Pattern.compile("^<!-- the file (\\S+)(?: region (\\S+))? -->$");
  private static final String FRAGMENT = "<!-- fragment -->";
  private static final Pattern FENCE = Pattern.compile("^(`{3,}|~{3,})(.*)$");

  /** The languages whose blocks must be included from a source or marked as fragments. */
  private static final Set<String> CHECKED_LANGUAGES = Set.of("java", "ts", "typescript");

  /**
   * A region marker line: {@code // region NAME}, {@code # endregion NAME}, {@code <!-- region NAME
   * -->}.
   */
  private static final Pattern REGION_LINE =
      Pattern.compile("^\\s*(?://|#|<!--)\\s*(region|endregion)\\s+(\\S+)\\s*(?:-->)?\\s*$");

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
  void everyJavaAndTypeScriptBlockIsIncludedOrAFragment() throws IOException {
    List<String> problems = new ArrayList<>();
    int blocks = checkUnmarked(ROOT.resolve("README.md"), problems);
    try (Stream<Path> pages = Files.walk(ROOT.resolve("docs"))) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        blocks += checkUnmarked(page, problems);
      }
    }

    assertThat(problems).as("code blocks neither included from a source nor fragments").isEmpty();
    assertThat(blocks).isPositive();
  }

  @Test
  void aBlockIsTheRegionOfItsSourceWithoutTheSharedIndentation(@TempDir Path dir)
      throws IOException {
    Files.writeString(
        dir.resolve("Example.java"),
        """
        class Example {
          void run() {
            // region greet
            if (ready) {
              // region inner
              greet("Ada");
              // endregion inner

              done();
            }
            // endregion greet
          }
        }
        """);
    Files.writeString(
        dir.resolve("build.sh"), "#!/bin/sh\n# region build\nmvn -B verify\n# endregion build\n");
    Files.writeString(
        dir.resolve("pom.xml"),
        "<project>\n  <!-- region deps -->\n  <dependencies/>\n  <!-- endregion deps -->\n</project>\n");
    Files.writeString(
        dir.resolve("README.md"),
        """
        <!-- the file Example.java region greet -->
        ```java
        if (ready) {
          greet("Ada");

          done();
        }
        ```

        <!-- the file Example.java region inner -->
        ```java
        greet("Bob");
        ```

        <!-- the file build.sh region build -->
        ```bash
        mvn -B verify
        ```

        <!-- the file pom.xml region deps -->
        ```xml
        <dependencies/>
        ```

        <!-- the file Example.java region missing -->
        ```java
        ```
        """);
    List<String> problems = new ArrayList<>();

    int blocks = check(dir.resolve("README.md"), problems);

    assertThat(blocks).isEqualTo(5);
    assertThat(problems)
        .containsExactly(
            "README.md:10: the block differs from Example.java region inner at its line 1:\n"
                + "  block: 'greet(\"Bob\");'\n"
                + "  file:  'greet(\"Ada\");'",
            "README.md:25: Example.java has no region missing");
  }

  @Test
  void aRegionWithoutItsEndOrTwiceIsReported() {
    List<String> problems = new ArrayList<>();

    assertThat(region(List.of("// region a", "x"), "a", "A.java", "doc.md:1: ", problems)).isNull();
    assertThat(
            region(
                List.of("// region a", "// endregion a", "// region a", "// endregion a"),
                "a",
                "A.java",
                "doc.md:2: ",
                problems))
        .isNull();

    assertThat(problems)
        .containsExactly(
            "doc.md:1: A.java's region a has no endregion a",
            "doc.md:2: A.java has region a twice");
  }

  @Test
  void aJavaOrTypeScriptBlockWithoutAMarkerIsReported(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("page.md"),
        """
        <!-- the file Example.java region greet -->
        ```java
        greet();
        ```

        <!-- fragment -->

        ```ts
        client.send.greeter.greet({ name: "Ada" });
        ```

        ```bash
        mvn -B verify
        ```

        ````markdown
        ```java
        inside another block: not a block of its own
        ```
        ````

        Unmarked:

        ```java
        greet();
        ```

        ```typescript
        greet();
        ```
        """);
    List<String> problems = new ArrayList<>();

    int blocks = checkUnmarked(dir.resolve("page.md"), problems);

    assertThat(blocks).isEqualTo(4);
    assertThat(problems)
        .containsExactly(
            "page.md:24: a ```java block without <!-- the file PATH region NAME --> (code the"
                + " build compiles) or <!-- fragment --> (not meant to run as shown) before it",
            "page.md:28: a ```typescript block without <!-- the file PATH region NAME --> (code"
                + " the build compiles) or <!-- fragment --> (not meant to run as shown) before"
                + " it");
  }

  @Test
  void gettingStartedShowsTheConsumerProjectsPom() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve("docs/getting-started.md"), UTF_8))
        .contains("<!-- the file ../zocket-it/src/it/hello-world/pom.xml -->");
  }

  /**
   * The getting-started page's pom names the version this build makes, which the consumer project
   * is built on.
   */
  @Test
  void theGettingStartedPomUsesThisBuildsVersion() throws Exception {
    assertThat(property(ROOT.resolve("zocket-it/src/it/hello-world/pom.xml"), "zocket.version"))
        .isEqualTo(projectVersion());
  }

  /** The Spring Boot page's pom is the Spring Boot consumer project's, on this build's version. */
  @Test
  void theSpringBootPageShowsTheSpringBootConsumerProjectsPom() throws Exception {
    assertThat(Files.readAllLines(ROOT.resolve("docs/spring-boot.md"), UTF_8))
        .contains("<!-- the file ../zocket-it/src/it/spring-boot/pom.xml -->");
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
    String name = displayName(markdown);
    int markers = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher marker = MARKER.matcher(lines.get(i));
      if (!marker.matches()) {
        continue;
      }
      markers++;
      String at = name + ":" + (i + 1) + ": ";
      String target = marker.group(1);
      String region = marker.group(2);
      int open = i + 1;
      while (open < lines.size() && lines.get(open).isBlank()) {
        open++;
      }
      Matcher fence = open < lines.size() ? FENCE.matcher(lines.get(open)) : null;
      if (fence == null || !fence.find()) {
        problems.add(at + "the marker is not followed by a fenced code block");
        continue;
      }
      int close = closingFence(lines, open, fence.group(1));
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
      i = close;
      if (region == null) {
        String expected = block.isEmpty() ? "" : String.join("\n", block) + "\n";
        String actual = Files.readString(file, UTF_8);
        if (!actual.equals(expected)) {
          problems.add(at + difference(target, block, actual.lines().toList()));
        }
        continue;
      }
      List<String> source = region(Files.readAllLines(file, UTF_8), region, target, at, problems);
      if (source != null && !source.equals(block)) {
        problems.add(at + difference(target + " region " + region, block, source));
      }
    }
    return markers;
  }

  /**
   * The lines of region {@code name} of a source, without the indentation they share and without
   * the marker lines of other regions inside it; null, with a problem added, when the source has no
   * such region, or has it twice.
   */
  static List<String> region(
      List<String> source, String name, String target, String at, List<String> problems) {
    int begin = -1;
    int end = -1;
    for (int k = 0; k < source.size(); k++) {
      Matcher m = REGION_LINE.matcher(source.get(k));
      if (!m.matches() || !m.group(2).equals(name)) {
        continue;
      }
      if (m.group(1).equals("region")) {
        if (begin >= 0) {
          problems.add(at + target + " has region " + name + " twice");
          return null;
        }
        begin = k;
      } else if (begin >= 0 && end < 0) {
        end = k;
      }
    }
    if (begin < 0) {
      problems.add(at + target + " has no region " + name);
      return null;
    }
    if (end < 0) {
      problems.add(at + target + "'s region " + name + " has no endregion " + name);
      return null;
    }
    List<String> body = new ArrayList<>();
    for (String line : source.subList(begin + 1, end)) {
      if (!REGION_LINE.matcher(line).matches()) {
        body.add(line);
      }
    }
    int indent = Integer.MAX_VALUE;
    for (String line : body) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    List<String> dedented = new ArrayList<>();
    for (String line : body) {
      dedented.add(line.isBlank() ? "" : line.substring(indent));
    }
    return dedented;
  }

  /**
   * Adds a problem for every {@code java}, {@code ts} or {@code typescript} block of one Markdown
   * file that has neither a {@code the file} marker nor {@code <!-- fragment -->} before it;
   * returns the number of such blocks checked.
   */
  static int checkUnmarked(Path markdown, List<String> problems) throws IOException {
    List<String> lines = Files.readAllLines(markdown, UTF_8);
    String name = displayName(markdown);
    int checked = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher fence = FENCE.matcher(lines.get(i));
      if (!fence.matches()) {
        continue;
      }
      String info = fence.group(2).strip();
      String language = info.isEmpty() ? "" : info.split("\\s+")[0].toLowerCase(Locale.ROOT);
      int close = closingFence(lines, i, fence.group(1));
      if (CHECKED_LANGUAGES.contains(language)) {
        checked++;
        int before = i - 1;
        while (before >= 0 && lines.get(before).isBlank()) {
          before--;
        }
        String previous = before >= 0 ? lines.get(before).strip() : "";
        if (!MARKER.matcher(previous).matches() && !previous.equals(FRAGMENT)) {
          problems.add(
              name
                  + ":"
                  + (i + 1)
                  + ": a ```"
                  + language
                  + " block without <!-- the file PATH region NAME --> (code the build compiles)"
                  + " or <!-- fragment --> (not meant to run as shown) before it");
        }
      }
      i = close;
    }
    return checked;
  }

  /** The index of the fence that closes the block opened at {@code open}, or the line count. */
  private static int closingFence(List<String> lines, int open, String opening) {
    int close = open + 1;
    while (close < lines.size()) {
      String line = lines.get(close).strip();
      if (line.startsWith(opening) && line.chars().allMatch(c -> c == opening.charAt(0))) {
        return close;
      }
      close++;
    }
    return close;
  }

  private static String displayName(Path markdown) {
    return markdown.startsWith(ROOT)
        ? ROOT.relativize(markdown).toString()
        : markdown.getFileName().toString();
  }

  /** Where a block and its file first differ, for a message that points at it. */
  private static String difference(String target, List<String> block, List<String> fileLines) {
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
