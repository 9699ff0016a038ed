package dev.zocket.typescript;

import java.util.Set;
import java.util.regex.Pattern;

/** How Java values are written in TypeScript source: strings, property keys and numbers. */
final class Js {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

  /** Words that cannot name a {@code const}; a record with such a simple name is refused. */
  static final Set<String> RESERVED =
      Set.of(
          "break",
          "case",
          "catch",
          "class",
          "const",
          "continue",
          "debugger",
          "default",
          "delete",
          "do",
          "else",
          "enum",
          "export",
          "extends",
          "false",
          "finally",
          "for",
          "function",
          "if",
          "import",
          "in",
          "instanceof",
          "new",
          "null",
          "return",
          "super",
          "switch",
          "this",
          "throw",
          "true",
          "try",
          "typeof",
          "var",
          "void",
          "while",
          "with",
          "let",
          "static",
          "yield",
          "await",
          "implements",
          "interface",
          "package",
          "private",
          "protected",
          "public",
          "z",
          "contract");

  private Js() {}

  /** A string literal in double quotes, every character outside printable ASCII escaped. */
  static String string(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** An object literal's key: bare when it is an identifier, quoted otherwise. */
  static String key(String name) {
    return IDENTIFIER.matcher(name).matches() ? name : string(name);
  }

  /** Whether a name can be a {@code const}'s name. */
  static boolean isIdentifier(String name) {
    return IDENTIFIER.matcher(name).matches() && !RESERVED.contains(name);
  }

  /** A number literal for a Java number, exactly as written in the constraint. */
  static String number(String decimal) {
    return new java.math.BigDecimal(decimal.trim()).toString();
  }

  /** A line comment's text: no line breaks. */
  static String comment(String s) {
    return s.replaceAll("[\\r\\n\\u2028\\u2029]", " ");
  }
}
