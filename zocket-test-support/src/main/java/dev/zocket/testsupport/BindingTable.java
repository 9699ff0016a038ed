package dev.zocket.testsupport;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The strict binding rules as a table: JSON payloads of every JSON type against Java targets of
 * every kind, each either accepted (with the value it binds to) or refused (with the JSON path and
 * the message the peer is told). Core runs it through the shared bind-and-validate step; the client
 * suite runs it through a real client's event binding, so both sides are held to one table.
 *
 * <p>Each target is a record with one component {@code v} (or a nested one), bound as the payload
 * of the route named like the record's method in {@link Events}.
 */
public final class BindingTable {
  private BindingTable() {}

  /** A string. */
  public record Text(String v) {}

  /** A {@code char}. */
  public record Letter(char v) {}

  /** A {@code byte}. */
  public record Int8(byte v) {}

  /** A {@code short}. */
  public record Int16(short v) {}

  /** An {@code int}. */
  public record Int32(int v) {}

  /** A {@code long}. */
  public record Int64(long v) {}

  /** An {@code Integer}, which may be null. */
  public record Boxed(Integer v) {}

  /** A {@code BigInteger}. */
  public record Big(BigInteger v) {}

  /** A {@code double}. */
  public record Real(double v) {}

  /** A {@code float}. */
  public record Single(float v) {}

  /** A {@code boolean}. */
  public record Flag(boolean v) {}

  /** Two colours. */
  public enum Color {
    /** Red. */
    RED,
    /** Green. */
    GREEN
  }

  /** An enum. */
  public record Paint(Color v) {}

  /** An instant, as an ISO-8601 string. */
  public record When(Instant v) {}

  /** A list of strings. */
  public record Tags(List<String> v) {}

  /** A list of integers. */
  public record Numbers(List<Integer> v) {}

  /** A map of integers. */
  public record Counts(Map<String, Integer> v) {}

  /** A nested record. */
  public record Inner(String name) {}

  /** A record holding another. */
  public record Outer(Inner inner) {}

  /**
   * One route per target; a server-to-client (event) contract, and usable as a client-to-server
   * one. A route's name is its method's name.
   */
  public interface Events {
    /** A string. */
    void text(Text p);

    /** A char. */
    void letter(Letter p);

    /** A byte. */
    void int8(Int8 p);

    /** A short. */
    void int16(Int16 p);

    /** An int. */
    void int32(Int32 p);

    /** A long. */
    void int64(Int64 p);

    /** An Integer. */
    void boxed(Boxed p);

    /** A BigInteger. */
    void big(Big p);

    /** A double. */
    void real(Real p);

    /** A float. */
    void single(Single p);

    /** A boolean. */
    void flag(Flag p);

    /** An enum. */
    void paint(Paint p);

    /** An instant. */
    void when(When p);

    /** A list of strings. */
    void tags(Tags p);

    /** A list of integers. */
    void numbers(Numbers p);

    /** A map. */
    void counts(Counts p);

    /** A nested record. */
    void outer(Outer p);
  }

  /**
   * One payload of the table.
   *
   * @param route the route (a method of {@link Events})
   * @param json the payload, as JSON
   * @param value what it binds to when accepted; null when refused
   * @param path the JSON path of the problem when refused
   * @param message the problem when refused, as the peer is told; null when accepted
   */
  public record Row(String route, String json, Object value, String path, String message) {
    /** Whether the payload binds. */
    public boolean accepted() {
      return message == null;
    }

    @Override
    public String toString() {
      return route + " " + json + (accepted() ? " -> " + value : " -x " + path + ": " + message);
    }
  }

  private static final String BYTE = "expected integer from -128 to 127, got ";
  private static final String SHORT = "expected integer from -32768 to 32767, got ";
  private static final String INT = "expected integer from -2147483648 to 2147483647, got ";
  private static final String LONG =
      "expected integer from -9223372036854775808 to 9223372036854775807, got ";
  private static final String COLORS = "one of \"RED\", \"GREEN\"";
  private static final String ISO = "an ISO-8601 string";

  /** Every row. */
  public static List<Row> rows() {
    List<Row> r = new ArrayList<>();
    // string
    ok(r, "text", "{\"v\":\"abc\"}", new Text("abc"));
    ok(r, "text", "{\"v\":\"\"}", new Text(""));
    ok(r, "text", "{\"v\":\" \"}", new Text(" "));
    ok(r, "text", "{\"v\":null}", new Text(null));
    ok(r, "text", "{}", new Text(null));
    no(r, "text", "{\"v\":5}", "v", "expected string, got number");
    no(r, "text", "{\"v\":1.5}", "v", "expected string, got number");
    no(r, "text", "{\"v\":true}", "v", "expected string, got boolean");
    no(r, "text", "{\"v\":[\"a\"]}", "v", "expected string, got array");
    no(r, "text", "{\"v\":{}}", "v", "expected string, got object");
    no(r, "text", "\"abc\"", "", "expected object, got string");
    no(r, "text", "[{\"v\":\"a\"}]", "", "expected object, got array");
    ok(r, "letter", "{\"v\":\"a\"}", new Letter('a'));
    no(r, "letter", "{\"v\":97}", "v", "expected string, got number");
    // integers of every width
    ok(r, "int8", "{\"v\":127}", new Int8((byte) 127));
    ok(r, "int8", "{\"v\":-128}", new Int8((byte) -128));
    no(r, "int8", "{\"v\":128}", "v", BYTE + "128");
    no(r, "int8", "{\"v\":200}", "v", BYTE + "200");
    no(r, "int8", "{\"v\":null}", "v", "expected integer, got null");
    no(r, "int8", "{}", "v", "required: expected integer");
    ok(r, "int16", "{\"v\":-32768}", new Int16((short) -32768));
    no(r, "int16", "{\"v\":32768}", "v", SHORT + "32768");
    ok(r, "int32", "{\"v\":2147483647}", new Int32(Integer.MAX_VALUE));
    ok(r, "int32", "{\"v\":3.0}", new Int32(3));
    ok(r, "int32", "{\"v\":1e3}", new Int32(1000));
    no(r, "int32", "{\"v\":2147483648}", "v", INT + "2147483648");
    no(r, "int32", "{\"v\":1.5}", "v", "expected integer, got 1.5");
    no(r, "int32", "{\"v\":\"5\"}", "v", "expected integer, got string");
    no(r, "int32", "{\"v\":true}", "v", "expected integer, got boolean");
    no(r, "int32", "{\"v\":[5]}", "v", "expected integer, got array");
    no(r, "int32", "{\"v\":1e400}", "v", INT + "1e400");
    ok(r, "int64", "{\"v\":9223372036854775807}", new Int64(Long.MAX_VALUE));
    no(r, "int64", "{\"v\":9223372036854775808}", "v", LONG + "9223372036854775808");
    no(r, "int64", "{\"v\":\"1\"}", "v", "expected integer, got string");
    ok(r, "boxed", "{\"v\":null}", new Boxed(null));
    ok(r, "boxed", "{\"v\":-7}", new Boxed(-7));
    no(r, "boxed", "{\"v\":\"\"}", "v", "expected integer, got string");
    ok(
        r,
        "big",
        "{\"v\":123456789012345678901234567890}",
        new Big(new BigInteger("123456789012345678901234567890")));
    no(r, "big", "{\"v\":\"12\"}", "v", "expected integer, got string");
    // floating point
    ok(r, "real", "{\"v\":1.5}", new Real(1.5));
    ok(r, "real", "{\"v\":5}", new Real(5.0));
    ok(r, "real", "{\"v\":-2.5e-3}", new Real(-0.0025));
    no(r, "real", "{\"v\":\"1.5\"}", "v", "expected number, got string");
    no(r, "real", "{\"v\":\"NaN\"}", "v", "expected number, got string");
    no(r, "real", "{\"v\":1e400}", "v", "expected a number that fits a double, got 1e400");
    ok(r, "single", "{\"v\":0.25}", new Single(0.25f));
    no(r, "single", "{\"v\":1e39}", "v", "expected a number that fits a float, got 1e39");
    // boolean
    ok(r, "flag", "{\"v\":true}", new Flag(true));
    ok(r, "flag", "{\"v\":false}", new Flag(false));
    no(r, "flag", "{\"v\":1}", "v", "expected boolean, got number");
    no(r, "flag", "{\"v\":\"true\"}", "v", "expected boolean, got string");
    no(r, "flag", "{}", "v", "required: expected boolean");
    // enum
    ok(r, "paint", "{\"v\":\"GREEN\"}", new Paint(Color.GREEN));
    no(r, "paint", "{\"v\":0}", "v", "expected " + COLORS + ", got number");
    no(r, "paint", "{\"v\":\"BLUE\"}", "v", "expected " + COLORS + ", got \"BLUE\"");
    no(r, "paint", "{\"v\":\"\"}", "v", "expected " + COLORS + ", got an empty string");
    // java.time
    ok(
        r,
        "when",
        "{\"v\":\"2026-11-25T18:43:13.464Z\"}",
        new When(Instant.parse("2026-11-25T18:43:13.464Z")));
    no(r, "when", "{\"v\":1764096193464}", "v", "expected " + ISO + ", got number");
    no(r, "when", "{\"v\":\"\"}", "v", "expected " + ISO + ", got an empty string");
    no(r, "when", "{\"v\":\"yesterday\"}", "v", "expected " + ISO + ", got \"yesterday\"");
    // lists
    ok(r, "tags", "{\"v\":[\"a\",\"b\"]}", new Tags(List.of("a", "b")));
    ok(r, "tags", "{\"v\":[]}", new Tags(List.of()));
    no(r, "tags", "{\"v\":\"a\"}", "v", "expected array, got string");
    no(r, "tags", "{\"v\":{}}", "v", "expected array, got object");
    no(r, "tags", "{\"v\":[\"a\",1]}", "v[1]", "expected string, got number");
    ok(r, "numbers", "{\"v\":[1,2]}", new Numbers(List.of(1, 2)));
    no(r, "numbers", "{\"v\":[1,\"2\"]}", "v[1]", "expected integer, got string");
    no(r, "numbers", "{\"v\":5}", "v", "expected array, got number");
    // maps
    ok(r, "counts", "{\"v\":{\"a\":1}}", new Counts(Map.of("a", 1)));
    no(r, "counts", "{\"v\":{\"a\":\"1\"}}", "v[a]", "expected integer, got string");
    no(r, "counts", "{\"v\":[]}", "v", "expected object, got array");
    // nested records
    ok(r, "outer", "{\"inner\":{\"name\":\"x\"}}", new Outer(new Inner("x")));
    no(r, "outer", "{\"inner\":\"x\"}", "inner", "expected object, got string");
    no(r, "outer", "{\"inner\":{\"name\":1}}", "inner.name", "expected string, got number");
    no(r, "outer", "{\"inner\":[]}", "inner", "expected object, got array");
    return r;
  }

  private static void ok(List<Row> rows, String route, String json, Object value) {
    rows.add(new Row(route, json, value, null, null));
  }

  private static void no(List<Row> rows, String route, String json, String path, String message) {
    rows.add(new Row(route, json, null, path, message));
  }
}
