package dev.zocket.typescript;

import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.FutureOrPresent;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.PastOrPresent;
import java.lang.annotation.Annotation;

/**
 * The TypeScript forms of {@code @Past}, {@code @PastOrPresent}, {@code @Future},
 * {@code @FutureOrPresent} and {@code @Digits}, as Hibernate Validator checks them, with the
 * functions a module whose schemas use them holds ({@link #SOURCE}).
 *
 * <p>A date-time with an offset is compared with the client's clock in milliseconds; a local date,
 * date-time or time with the client's local date and time, as Java compares it with the server's
 * (in the server's time zone). {@code @Digits} counts the digits of the number as Java's {@code
 * BigDecimal} does: of its shortest decimal form for a number (trailing zeros dropped), of the text
 * as written for a string.
 */
final class TimeChecks {
  static final String SOURCE =
      """
      /** An ISO-8601 date-time with an offset, in milliseconds (digits past milliseconds dropped). */
      function instantMillis(s: string): number {
        return Date.parse(s.replace(/(\\.\\d{3})\\d+/, "$1"));
      }

      /** The client's local date and time now, in ISO-8601: 2026-12-06T12:00:00.000. */
      function localNow(): string {
        const d = new Date();
        const p = (n: number, w: number) => String(n).padStart(w, "0");
        return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1, 2)}-${p(d.getDate(), 2)}T` +
          `${p(d.getHours(), 2)}:${p(d.getMinutes(), 2)}:${p(d.getSeconds(), 2)}.${p(d.getMilliseconds(), 3)}`;
      }

      /**
       * The integer and fraction digits of a decimal as Java's BigDecimal counts them for @Digits
       * (precision - scale, and the scale), trailing zeros dropped if `strip`; null if not a decimal.
       */
      function decimalDigits(text: string, strip: boolean): [number, number] | null {
        const m = /^[+-]?(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d+))?$/.exec(text);
        if (m === null || (m[1] === "" && (m[2] ?? "") === "")) {
          return null;
        }
        const fraction = m[2] ?? "";
        let scale = fraction.length - Number(m[3] ?? "0");
        let unscaled = (m[1] + fraction).replace(/^0+/, "");
        if (unscaled === "") {
          return strip ? [1, 0] : [1 - scale, Math.max(scale, 0)];
        }
        if (strip) {
          const kept = unscaled.replace(/0+$/, "");
          scale -= unscaled.length - kept.length;
          unscaled = kept;
        }
        return [unscaled.length - scale, Math.max(scale, 0)];
      }
      """;

  private TimeChecks() {}

  /**
   * The test of a time constraint on a value {@code t} of a shape, or null when the shape is not a
   * date or time in ISO-8601.
   */
  static String test(Class<? extends Annotation> type, ZodConstraints.Shape shape) {
    String op;
    if (type == Past.class) {
      op = " < ";
    } else if (type == PastOrPresent.class) {
      op = " <= ";
    } else if (type == Future.class) {
      op = " > ";
    } else if (type == FutureOrPresent.class) {
      op = " >= ";
    } else {
      throw new IllegalArgumentException(type.getName());
    }
    return switch (shape) {
      case INSTANT -> "instantMillis(t)" + op + "Date.now()";
      case LOCAL_DATE_TIME -> "t" + op + "localNow()";
      case LOCAL_DATE -> "t" + op + "localNow().slice(0, 10)";
      case LOCAL_TIME -> "t" + op + "localNow().slice(11)";
      default -> null;
    };
  }

  /** The test of {@code @Digits(integer, fraction)} on a value {@code v}, a number or a string. */
  static String digits(boolean number, int integer, int fraction) {
    return "((d) => d !== null && d[0] <= "
        + integer
        + " && d[1] <= "
        + fraction
        + ")(decimalDigits("
        + (number ? "String(v)" : "v")
        + ", "
        + number
        + "))";
  }
}
