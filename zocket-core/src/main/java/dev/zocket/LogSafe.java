package dev.zocket;

/**
 * Makes a string a client sent safe to put in a log line: a client must not be able to forge log
 * lines (a CR or LF followed by a fake timestamp), hide text (ANSI escapes, NUL), or flood the log
 * (a 60 KB room id). Zocket passes every client-supplied string it logs through {@link #text};
 * applications should do the same with theirs, such as user names and room ids.
 *
 * <pre>{@code
 * log.info("{} joined {}", LogSafe.text(user.name()), LogSafe.text(roomId));
 * }</pre>
 */
public final class LogSafe {
  /** The most characters of a string kept in a log line. */
  public static final int MAX_LENGTH = 200;

  private LogSafe() {}

  /**
   * The string with every control character written as an escape ({@code \n}, {@code \r}, {@code
   * \t}, {@code \\}, otherwise {@code \}{@code u001b}), the Unicode line and paragraph separators
   * and bidirectional overrides escaped too, and cut after {@link #MAX_LENGTH} characters with a
   * note of how many were left out; {@code "null"} for null. Thread-safe.
   */
  public static String text(CharSequence s) {
    if (s == null) {
      return "null";
    }
    int n = Math.min(s.length(), MAX_LENGTH);
    StringBuilder sb = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String escape = escape(c);
      if (escape != null && sb == null) {
        sb = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (sb != null) {
        if (escape != null) {
          sb.append(escape);
        } else {
          sb.append(c);
        }
      }
    }
    if (sb == null && s.length() <= MAX_LENGTH) {
      return s.toString();
    }
    if (sb == null) {
      sb = new StringBuilder(n + 32).append(s, 0, n);
    }
    if (s.length() > MAX_LENGTH) {
      sb.append("...(").append(s.length() - MAX_LENGTH).append(" more)");
    }
    return sb.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\";
      default:
        boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
        boolean separatorOrOverride =
            c == '\u2028'
                || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
        return control || separatorOrOverride ? String.format("\\u%04x", (int) c) : null;
    }
  }
}
