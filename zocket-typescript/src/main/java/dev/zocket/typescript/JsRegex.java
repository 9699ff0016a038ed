package dev.zocket.typescript;

import java.util.regex.Pattern;

/**
 * Java regular expressions and date-time patterns as JavaScript regular expressions that accept
 * exactly the same strings, or a refusal naming what has no JavaScript equivalent.
 *
 * <p>A {@code @Pattern} must match the whole string (Java's {@code matches()}), so the result is
 * anchored. It carries the {@code u} flag, so that it works on code points as Java's does; the
 * constructs whose meaning differs between the two engines are rewritten: {@code .} excludes Java's
 * five line terminators, {@code \s} is Java's six ASCII white-space characters.
 */
final class JsRegex {
  private static final String JAVA_SPACE = " \\t\\n\\x0B\\f\\r";
  private static final String SYNTAX = "^$\\.*+?()[]{}|/";

  private final String source;
  private final StringBuilder out = new StringBuilder();
  private int i;

  private JsRegex(String source) {
    this.source = source;
  }

  /**
   * The JavaScript literal for a Java regex that must match a whole string.
   *
   * @param flags {@code Pattern} flags; only {@code CASE_INSENSITIVE} has an equivalent
   * @throws IllegalArgumentException naming the construct that cannot be expressed
   */
  static String wholeMatch(String regex, int flags) {
    Pattern.compile(regex, flags); // the contract's own mistake shows as Java reports it
    if ((flags & ~Pattern.CASE_INSENSITIVE) != 0) {
      throw new IllegalArgumentException(
          "only the CASE_INSENSITIVE flag has a JavaScript equivalent");
    }
    JsRegex r = new JsRegex(regex);
    r.translate();
    return "/^(?:" + r.out + ")$/u" + ((flags & Pattern.CASE_INSENSITIVE) != 0 ? "i" : "");
  }

  private void translate() {
    while (i < source.length()) {
      char c = source.charAt(i++);
      switch (c) {
        case '\\' -> escape(false);
        case '[' -> characterClass();
        case '.' -> out.append("[^\\n\\r\\u0085\\u2028\\u2029]");
        case '/' -> out.append("\\/");
        case '(' -> group();
        case '{' -> {
          int end = source.indexOf('}', i);
          out.append(source, i - 1, end + 1);
          i = end + 1;
          quantified("{...}");
        }
        case '*', '+', '?' -> {
          out.append(c);
          quantified(String.valueOf(c));
        }
        case '}', ']' ->
            out.append('\\').append(c); // literal in Java, an error in JavaScript's u mode
        default -> out.append(c);
      }
    }
  }

  private void quantified(String quantifier) {
    if (i < source.length() && source.charAt(i) == '+') {
      throw refuse("possessive quantifier '" + quantifier + "+'");
    }
  }

  private void group() {
    out.append('(');
    if (i < source.length() && source.charAt(i) == '?') {
      String rest = source.substring(i);
      if (rest.startsWith("?:")
          || rest.startsWith("?=")
          || rest.startsWith("?!")
          || rest.startsWith("?<=")
          || rest.startsWith("?<!")
          || rest.matches("(?s)\\?<[A-Za-z][A-Za-z0-9]*>.*")) {
        return; // the same in both
      }
      throw refuse(rest.startsWith("?>") ? "atomic group '(?>'" : "inline flags '(?'");
    }
  }

  private void characterClass() {
    out.append('[');
    if (i < source.length() && source.charAt(i) == '^') {
      out.append('^');
      i++;
    }
    boolean first = true;
    while (i < source.length()) {
      char c = source.charAt(i++);
      if (c == ']' && !first) {
        out.append(']');
        return;
      }
      first = false;
      switch (c) {
        case '\\' -> escape(true);
        case '[' -> throw refuse("a class inside a class (union)");
        case '&' -> {
          if (i < source.length() && source.charAt(i) == '&') {
            throw refuse("class intersection '&&'");
          }
          out.append(c);
        }
        case '/' -> out.append("\\/");
        default -> out.append(c);
      }
    }
  }

  private void escape(boolean inClass) {
    char c = source.charAt(i++);
    switch (c) {
      case 'd', 'D', 'w', 'W', 't', 'n', 'r', 'f' -> out.append('\\').append(c);
      case 'b', 'B' -> {
        if (inClass) {
          throw refuse("'\\" + c + "' in a class");
        }
        out.append('\\').append(c);
      }
      case 's' -> out.append(inClass ? JAVA_SPACE : "[" + JAVA_SPACE + "]");
      case 'S' -> {
        if (inClass) {
          throw refuse("'\\S' in a class");
        }
        out.append("[^").append(JAVA_SPACE).append(']');
      }
      case 'x' -> {
        out.append("\\x").append(source, i, i + 2);
        i += 2;
      }
      case 'u' -> {
        out.append("\\u").append(source, i, i + 4);
        i += 4;
      }
      case 'p', 'P' -> {
        int end = source.indexOf('}', i);
        String name = source.substring(i + 1, end);
        if (source.charAt(i) != '{' || !name.matches("L[ultmo]?|N[dlo]?|P[cdseifo]?|S[cmko]?")) {
          throw refuse("'\\" + c + "{" + name + "}' (only Unicode general categories)");
        }
        out.append('\\').append(c).append('{').append(name).append('}');
        i = end + 1;
      }
      case 'Q' -> {
        int end = source.indexOf("\\E", i);
        String quoted = source.substring(i, end < 0 ? source.length() : end);
        for (char q : quoted.toCharArray()) {
          literal(q, inClass);
        }
        i = end < 0 ? source.length() : end + 2;
      }
      default -> {
        if (c >= '1' && c <= '9' && !inClass) {
          out.append('\\').append(c);
        } else if (Character.isLetterOrDigit(c)) {
          throw refuse("'\\" + c + "'");
        } else {
          literal(c, inClass);
        }
      }
    }
  }

  /** A character that stands for itself, escaped where JavaScript's {@code u} mode needs it. */
  private void literal(char c, boolean inClass) {
    boolean special = inClass ? "\\]^-/".indexOf(c) >= 0 : SYNTAX.indexOf(c) >= 0;
    if (special) {
      out.append('\\');
    }
    out.append(c);
  }

  private IllegalArgumentException refuse(String what) {
    return new IllegalArgumentException(what + " in /" + source + "/ has no JavaScript equivalent");
  }

  /**
   * A JavaScript regex for the strings a {@code java.time.format.DateTimeFormatter} pattern writes
   * and reads, as used in {@code @JsonFormat(pattern = ...)}.
   *
   * @throws IllegalArgumentException naming a pattern letter that is not supported
   */
  static String dateTimePattern(String pattern) {
    StringBuilder re = new StringBuilder("/^");
    int p = 0;
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '\'') {
        int end = pattern.indexOf('\'', p + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated quote in '" + pattern + "'");
        }
        String text = end == p + 1 ? "'" : pattern.substring(p + 1, end);
        for (char q : text.toCharArray()) {
          re.append(SYNTAX.indexOf(q) >= 0 ? "\\" + q : String.valueOf(q));
        }
        p = end + 1;
        continue;
      }
      int n = 1;
      while (p + n < pattern.length() && pattern.charAt(p + n) == c) {
        n++;
      }
      if (Character.isLetter(c)) {
        re.append(field(c, n, pattern));
      } else {
        for (int k = 0; k < n; k++) {
          re.append(SYNTAX.indexOf(c) >= 0 ? "\\" + c : String.valueOf(c));
        }
      }
      p += n;
    }
    return re.append("$/").toString();
  }

  private static String field(char letter, int n, String pattern) {
    return switch (letter) {
      case 'u', 'y' -> n == 2 ? "\\d{2}" : n == 4 ? "\\d{4}" : unsupported(letter, n, pattern);
      case 'M', 'd', 'H', 'h', 'm', 's' ->
          n == 1 ? "\\d{1,2}" : n == 2 ? "\\d{2}" : unsupported(letter, n, pattern);
      case 'S' -> "\\d{" + n + "}";
      case 'X' ->
          n == 1
              ? "(?:Z|[+-]\\d{2}(?:\\d{2})?)"
              : n == 2
                  ? "(?:Z|[+-]\\d{4})"
                  : n == 3 ? "(?:Z|[+-]\\d{2}:\\d{2})" : unsupported(letter, n, pattern);
      case 'x' ->
          n == 3 ? "[+-]\\d{2}:\\d{2}" : n == 2 ? "[+-]\\d{4}" : unsupported(letter, n, pattern);
      default -> unsupported(letter, n, pattern);
    };
  }

  private static String unsupported(char letter, int n, String pattern) {
    throw new IllegalArgumentException(
        "the date-time field '"
            + String.valueOf(letter).repeat(n)
            + "' of the pattern '"
            + pattern
            + "' is not supported (supported: uuuu/yyyy, MM, dd, HH, hh, mm, ss, S..., X..., xx,"
            + " xxx, quoted text)");
  }
}
