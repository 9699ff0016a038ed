package dev.zocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation has no dead links: in every Markdown file of the repository (less build output,
 * dependencies, generated and hidden folders), each relative link or image ({@code [text](path)},
 * {@code [text](path#anchor)}, {@code ![alt](path)}, a reference definition {@code [ref]: path}, or
 * an HTML {@code href}/{@code src}) must name a file or folder that exists, relative to the
 * Markdown file (a path starting with {@code /} relative to the repository's root), and its {@code
 * #anchor}, in the same file or another Markdown file, must be a heading's anchor there by GitHub's
 * rules ({@link #slug}) or an explicit {@code <a id>} / {@code <a name>}. A link may not leave the
 * repository (the project's design documents in {@code ../shared} are not published). Links with a
 * scheme ({@code https:}, {@code mailto:}, ...) are not checked; fenced code blocks, code spans and
 * HTML comments hold no links.
 */
class DocumentationLinksTest {
  /** The repository's root: tests run in their module's folder. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final Pattern FENCE = Pattern.compile("^ *(`{3,}|~{3,})");
  private static final Pattern ATX = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?[ \\t]*$");
  private static final Pattern SETEXT = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
  private static final Pattern REFERENCE =
      Pattern.compile("(?m)^ {0,3}\\[(?!\\^)[^\\]\\n]+\\]:[ \\t]*(<[^>\\n]*>|\\S+)");
  private static final Pattern HTML_LINK =
      Pattern.compile("<(?:a|img)\\b[^>]*?\\b(?:href|src)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
  private static final Pattern HTML_ANCHOR =
      Pattern.compile("<a\\b[^>]*?\\b(?:id|name)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<Path> files = markdownFiles(ROOT);
    List<String> problems = new ArrayList<>();
    int links = 0;
    for (Path markdown : files) {
      links += check(ROOT, markdown, problems);
    }

    assertThat(files).contains(ROOT.resolve("README.md"));
    assertThat(problems).as("dead links in the documentation").isEmpty();
    assertThat(links).isPositive();
  }

  @Test
  void slugsFollowGitHubsRules() {
    assertThat(slug("Several nodes with Redis")).isEqualTo("several-nodes-with-redis");
    assertThat(slug("`zocket-test`")).isEqualTo("zocket-test");
    assertThat(slug("Testing handlers")).isEqualTo("testing-handlers");
    assertThat(slug("Hello, world")).isEqualTo("hello-world");
    assertThat(slug("Flow control, slow consumers and drops"))
        .isEqualTo("flow-control-slow-consumers-and-drops");
    assertThat(slug("`Zocket.server()` and `ServerConfig.Builder`"))
        .isEqualTo("zocketserver-and-serverconfigbuilder");
    assertThat(slug("Client/server (both sides)")).isEqualTo("clientserver-both-sides");
    assertThat(slug("Netty 4.2 & Java 17")).isEqualTo("netty-42--java-17");
    assertThat(slug("snake_case and kebab-case")).isEqualTo("snake_case-and-kebab-case");
    assertThat(slug("  Trailing spaces  ")).isEqualTo("trailing-spaces");
    assertThat(slug("What's *new* in [1.0](CHANGELOG.md)?")).isEqualTo("whats-new-in-10");
    assertThat(slug("_Emphasis_ but `__init__`")).isEqualTo("emphasis-but-__init__");
    assertThat(slug("Über-Größe")).isEqualTo("über-größe");
  }

  @Test
  void duplicateHeadingsGetNumberedAnchors(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("a.md"),
        """
        # Setup
        ## Setup
        ## Setup-1
        Setup
        -----
        <a id="custom"></a>
        <a name='other'></a>
        """);

    assertThat(anchors(dir.resolve("a.md")))
        .containsExactlyInAnyOrder("setup", "setup-1", "setup-1-1", "setup-2", "custom", "other");
  }

  @Test
  void deadLinksAreReportedWithFileAndLine(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs/img"));
    Files.writeString(root.resolve("docs/img/a.svg"), "<svg/>");
    Files.writeString(root.resolve("docs/other.md"), "# Other page\n\n## `zocket-test`\n");
    Files.writeString(
        root.resolve("README.md"),
        """
        # Title

        ## Testing handlers

        Fine: [a](#testing-handlers), [b](docs/other.md#zocket-test), [c](docs/),
        ![d](docs/img/a.svg "a title"), [e](https://example.com/x.md#nope), [f](mailto:a@b.c),
        [g (with parens)](<docs/other.md>), [spans
        lines](docs/other.md#other-page), `[not a link](nowhere.md)`, /root: [h](/docs/other.md).

        ```markdown
        [in a fence](nowhere.md)
        ```
        <!-- [in a comment](nowhere.md) -->

        Dead: [i](missing.md), [j](#no-such-heading), ![k](docs/img/b.svg),
        [l](docs/other.md#no-such), [m](../shared/DESIGN.md), <a href="gone.html">n</a>

        [ref]: docs/gone.md
        """);
    List<String> problems = new ArrayList<>();

    int links = check(root, root.resolve("README.md"), problems);

    assertThat(links).isEqualTo(16);
    assertThat(problems)
        .containsExactly(
            "README.md:15: missing.md: no such file or folder",
            "README.md:15: #no-such-heading: no such heading or anchor in README.md",
            "README.md:15: docs/img/b.svg: no such file or folder",
            "README.md:16: docs/other.md#no-such: no such heading or anchor in docs/other.md",
            "README.md:16: ../shared/DESIGN.md: points outside the repository",
            "README.md:16: gone.html: no such file or folder",
            "README.md:18: docs/gone.md: no such file or folder");
  }

  /**
   * The Markdown files of the repository, less build output, dependencies, generated and hidden
   * folders.
   */
  private static List<Path> markdownFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".md"))
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                for (Path part : root.relativize(p.getParent())) {
                  String name = part.toString();
                  if (name.startsWith(".")
                      || name.startsWith("target")
                      || name.equals("node_modules")
                      || name.equals("dist")
                      || name.equals("generated")) {
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
   * Checks the links of one Markdown file under {@code root}, adding a line per problem to {@code
   * problems}; returns the number of links found.
   */
  private static int check(Path root, Path markdown, List<String> problems) throws IOException {
    String text = prose(Files.readString(markdown, UTF_8));
    String name = root.relativize(markdown).toString().replace('\\', '/');
    List<int[]> targets = new ArrayList<>(); // {start, end} of each link's target in text
    for (int i = text.indexOf("]("); i >= 0; i = text.indexOf("](", i + 2)) {
      int start = i + 2;
      int end = inlineTargetEnd(text, start);
      if (end > start) {
        targets.add(new int[] {start, end});
      }
    }
    for (Pattern pattern : List.of(REFERENCE, HTML_LINK)) {
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        int group = m.group(1) != null || m.groupCount() < 2 ? 1 : 2;
        targets.add(new int[] {m.start(group), m.end(group)});
      }
    }
    targets.sort((a, b) -> Integer.compare(a[0], b[0]));
    for (int[] t : targets) {
      String target = text.substring(t[0], t[1]);
      if (target.startsWith("<") && target.endsWith(">")) {
        target = target.substring(1, target.length() - 1);
      }
      String problem = problem(root, markdown, target.strip());
      if (problem != null) {
        problems.add(name + ":" + line(text, t[0]) + ": " + target + ": " + problem);
      }
    }
    return targets.size();
  }

  /** What is wrong with one link's target, or null. */
  private static String problem(Path root, Path markdown, String target) throws IOException {
    if (target.isEmpty() || target.startsWith("//") || SCHEME.matcher(target).find()) {
      return null;
    }
    int hash = target.indexOf('#');
    String path = decode(hash < 0 ? target : target.substring(0, hash));
    String fragment = hash < 0 ? null : decode(target.substring(hash + 1));
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.matches("(?:.*/)?\\.\\./shared(?:/.*)?")) {
      return "points outside the repository";
    }
    Path file;
    if (path.isEmpty()) {
      file = markdown;
    } else {
      Path base = path.startsWith("/") ? root : markdown.getParent();
      file = base.resolve(path.replaceFirst("^/+", "")).normalize();
      if (!file.startsWith(root)) {
        return "points outside the repository";
      }
      if (!Files.exists(file)) {
        return "no such file or folder";
      }
    }
    if (fragment != null
        && !fragment.isEmpty()
        && Files.isRegularFile(file)
        && file.getFileName().toString().endsWith(".md")
        && !anchors(file).contains(fragment)) {
      return "no such heading or anchor in " + root.relativize(file).toString().replace('\\', '/');
    }
    return null;
  }

  /**
   * Where an inline link's target that starts at {@code start} (just after {@code "]("}) ends: the
   * end of {@code <...>}, or of the first run of text without blanks and with balanced parentheses.
   */
  private static int inlineTargetEnd(String text, int start) {
    if (start < text.length() && text.charAt(start) == '<') {
      int close = text.indexOf('>', start);
      int newline = text.indexOf('\n', start);
      return close < 0 || (newline >= 0 && newline < close) ? start : close + 1;
    }
    int depth = 0;
    int i = start;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        break;
      } else if (c == '\\' && i + 1 < text.length()) {
        i++;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        if (depth == 0) {
          break;
        }
        depth--;
      }
    }
    return i;
  }

  /** The anchors of a Markdown file: its headings' (by GitHub's rules) and its explicit ones. */
  static Set<String> anchors(Path markdown) throws IOException {
    String text = withoutCode(Files.readString(markdown, UTF_8), false);
    String[] lines = text.split("\n", -1);
    Map<String, Integer> occurrences = new HashMap<>();
    Set<String> anchors = new HashSet<>();
    for (int i = 0; i < lines.length; i++) {
      String heading = null;
      Matcher atx = ATX.matcher(lines[i]);
      if (atx.matches()) {
        heading = atx.group(2) == null ? "" : atx.group(2).replaceFirst("[ \\t]+#+$", "");
      } else if (i > 0
          && SETEXT.matcher(lines[i]).matches()
          && !lines[i - 1].isBlank()
          && !ATX.matcher(lines[i - 1]).matches()
          && !lines[i - 1].stripLeading().matches("[-*+>|].*|\\d+[.)] .*")
          && !SETEXT.matcher(lines[i - 1]).matches()) {
        heading = lines[i - 1].strip();
      }
      if (heading != null) {
        String base = slug(heading);
        String result = base;
        while (occurrences.containsKey(result)) {
          int n = occurrences.merge(base, 1, Integer::sum);
          result = base + "-" + n;
        }
        occurrences.put(result, 0);
        anchors.add(result);
      }
      Matcher explicit = HTML_ANCHOR.matcher(lines[i]);
      while (explicit.find()) {
        anchors.add(explicit.group(1) != null ? explicit.group(1) : explicit.group(2));
      }
    }
    return anchors;
  }

  /**
   * A heading's anchor as GitHub makes it: the heading's text (code spans' content, links' text, no
   * emphasis or HTML), lower-cased, without characters other than letters, marks, digits, spaces,
   * hyphens and underscores, each space a hyphen.
   */
  static String slug(String heading) {
    List<String> spans = new ArrayList<>();
    Matcher code = Pattern.compile("(`+)(.+?)\\1").matcher(heading);
    StringBuilder text = new StringBuilder();
    while (code.find()) {
      spans.add(code.group(2).strip());
      code.appendReplacement(text, "\u0000" + (spans.size() - 1) + "\u0000");
    }
    code.appendTail(text);
    String plain =
        text.toString()
            .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
            .replaceAll("<[^>]+>", "")
            .replaceAll("(?<![\\p{L}\\p{N}])_+|_+(?![\\p{L}\\p{N}])", "");
    Matcher placeholder = Pattern.compile("\u0000(\\d+)\u0000").matcher(plain);
    StringBuilder restored = new StringBuilder();
    while (placeholder.find()) {
      placeholder.appendReplacement(
          restored, Matcher.quoteReplacement(spans.get(Integer.parseInt(placeholder.group(1)))));
    }
    placeholder.appendTail(restored);
    return restored
        .toString()
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }

  /** The text of a Markdown file with its code and comments blanked, line breaks kept. */
  private static String prose(String markdown) {
    return withoutCode(markdown, true);
  }

  /**
   * Blanks fenced code blocks and HTML comments (and code spans when {@code spans}), keeping every
   * line break so offsets still give line numbers.
   */
  private static String withoutCode(String markdown, boolean spans) {
    String[] lines = markdown.split("\n", -1);
    StringBuilder out = new StringBuilder();
    String fence = null;
    for (String line : lines) {
      Matcher m = FENCE.matcher(line);
      if (fence == null && m.find()) {
        fence = m.group(1);
        out.append('\n');
        continue;
      }
      if (fence != null) {
        String s = line.strip();
        char c = fence.charAt(0);
        if (s.startsWith(fence) && s.chars().allMatch(ch -> ch == c)) {
          fence = null;
        }
        out.append('\n');
        continue;
      }
      out.append(line).append('\n');
    }
    String text = blank(out.substring(0, out.length() - 1), Pattern.compile("(?s)<!--.*?-->"));
    return spans ? blank(text, Pattern.compile("(?s)(`+)(?!`).*?(?<!`)\\1(?!`)")) : text;
  }

  /** Replaces every match by spaces, keeping its line breaks. */
  private static String blank(String text, Pattern pattern) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, m.group().replaceAll("[^\n]", " "));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static int line(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String decode(String s) {
    return s.contains("%") ? URLDecoder.decode(s.replace("+", "%2B"), UTF_8) : s;
  }
}
