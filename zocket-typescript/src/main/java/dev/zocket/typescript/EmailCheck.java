package dev.zocket.typescript;

/**
 * The TypeScript form of Hibernate Validator's {@code @Email} check, put in a module whose schemas
 * use it: the local part (at most 64 characters, atoms or quoted strings) and the domain (labels,
 * an IPv4 literal or an IPv6 literal), matched as Hibernate Validator's expressions do. The length
 * limits of the domain are those of its ASCII form; for a domain with non-ASCII labels they are
 * checked on the labels as written, where Java checks their punycode.
 */
final class EmailCheck {
  private static final String ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~\\u0080-\\uFFFF-]";
  private static final String QUOTED =
      "(?:[a-z0-9!#$%&'*.(),<>\\[\\]:;  @+/=?^_`{|}~\\u0080-\\uFFFF-]|\\\\\\\\|\\\\\")";
  private static final String WORD = "(?:" + ATOM + "+|\"" + QUOTED + "+\")";
  private static final String LABEL_CHAR = "[a-z\\u0080-\\uFFFF0-9!#$%&'*+/=?^_`{|}~]";
  private static final String LABEL = LABEL_CHAR + "+(?:-+" + LABEL_CHAR + "+)*";
  private static final String IPV6 =
      "(?:(?:[0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,7}:"
          + "|(?:[0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,5}(?::[0-9a-fA-F]{1,4}){1,2}"
          + "|(?:[0-9a-fA-F]{1,4}:){1,4}(?::[0-9a-fA-F]{1,4}){1,3}|(?:[0-9a-fA-F]{1,4}:){1,3}(?::[0-9a-fA-F]{1,4}){1,4}"
          + "|(?:[0-9a-fA-F]{1,4}:){1,2}(?::[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:(?:(?::[0-9a-fA-F]{1,4}){1,6})"
          + "|:(?:(?::[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(?::[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}"
          + "|::(?:ffff(?::0{1,4}){0,1}:){0,1}(?:(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\\.){3,3}"
          + "(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])|(?:[0-9a-fA-F]{1,4}:){1,4}:"
          + "(?:(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9])\\.){3,3}(?:25[0-5]|(?:2[0-4]|1{0,1}[0-9]){0,1}[0-9]))";

  static final String SOURCE =
      "/** Hibernate Validator's @Email check: the empty string passes, as in Java. */\n"
          + "const EMAIL_LOCAL = /^"
          + WORD
          + "(?:\\."
          + WORD
          + ")*$/iu;\n"
          + "const EMAIL_DOMAIN = /^(?:"
          + LABEL
          + "(?:\\."
          + LABEL
          + ")*|\\[[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\]|\\[IPv6:"
          + IPV6
          + "\\])$/iu;\n"
          + "function isEmail(s: string): boolean {\n"
          + "  if (s.length === 0) return true;\n"
          + "  const at = s.lastIndexOf(\"@\");\n"
          + "  if (at < 0) return false;\n"
          + "  const local = s.slice(0, at);\n"
          + "  const domain = s.slice(at + 1);\n"
          + "  if (local.length > 64 || !EMAIL_LOCAL.test(local) || domain.endsWith(\".\")) return"
          + " false;\n"
          + "  if (domain.length > 255 || domain.split(\".\").some((l) => l.length > 63)) return"
          + " false;\n"
          + "  return EMAIL_DOMAIN.test(domain);\n"
          + "}\n";

  private EmailCheck() {}
}
