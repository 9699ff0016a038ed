package dev.zocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a client sent cannot forge, hide or flood a log line. */
class LogSafeTest {
  @Test
  void controlCharactersAreEscaped() {
    assertThat(LogSafe.text("evil\r\n03:00:00.000 INFO forged"))
        .isEqualTo("evil\\r\\n03:00:00.000 INFO forged");
    assertThat(LogSafe.text("\u001b[2J\u0000\t\u007f\u0085"))
        .isEqualTo("\\u001b[2J\\u0000\\t\\u007f\\u0085");
    assertThat(LogSafe.text("a\\nb")).isEqualTo("a\\\\nb"); // a backslash cannot fake an escape
    assertThat(LogSafe.text("line\u2028sep \u202eevil")).isEqualTo("line\\u2028sep \\u202eevil");
  }

  @Test
  void plainTextIsKeptAsItIs() {
    String plain = "Alice joined général 👋";
    assertThat(LogSafe.text(plain)).isSameAs(plain);
    assertThat(LogSafe.text(null)).isEqualTo("null");
  }

  @Test
  void longTextIsCutWithACount() {
    assertThat(LogSafe.text("x".repeat(250))).isEqualTo("x".repeat(200) + "...(50 more)");
    assertThat(LogSafe.text("\n".repeat(201))).isEqualTo("\\n".repeat(200) + "...(1 more)");
  }
}
