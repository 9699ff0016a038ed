package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.netty.TestApi.Events;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Drives generated and mutated frames through a real server's whole pipeline over loopback: valid
 * envelopes with flipped, cut and inserted bytes, swapped JSON types, deep nesting, huge numbers,
 * random and invalid UTF-8, as text and binary frames. 1,000 tries of 10 frames: after each try the
 * same connection still answers a valid call, a second connection still gets its events, and at the
 * end Netty's PARANOID leak detector has found nothing. A second property sends frames that break
 * the WebSocket protocol itself: only their own connection is closed.
 */
class FrameFuzzTest {
  private static final int FRAMES_PER_TRY = 10;
  private static final List<String> SEEDS =
      List.of(
          "{\"type\":\"t.echo\",\"payload\":{\"text\":\"hi\",\"n\":1},\"rpcId\":\"e1\"}",
          "{\"type\":\"t.echo\",\"payload\":{\"text\":\"h\\u00e9\\\"\",\"n\":-7}}",
          "{\"type\":\"t.seq\",\"payload\":5,\"rpcId\":\"s1\"}",
          "{\"type\":\"t.rooms\",\"rpcId\":\"r1\"}",
          "{\"type\":\"t.whoami\",\"rpcId\":\"w1\"}",
          "{\"type\":\"t.join\",\"payload\":{\"roomId\":\"fuzz\"},\"rpcId\":\"j1\"}",
          "{\"type\":\"t.leave\",\"payload\":{\"roomId\":\"fuzz\"}}",
          "{\"type\":\"t.nothing\",\"rpcId\":\"n1\"}",
          "{\"type\":\"t.later\",\"payload\":\"x\",\"rpcId\":\"l1\"}",
          "{\"type\":\"t.thread\",\"rpcId\":\"t1\"}",
          "{\"type\":\"__rpc_res\",\"payload\":1,\"rpcId\":\"q\"}",
          "{\"rpcId\":\"z\",\"payload\":[1,2,{\"a\":null}],\"type\":\"t.echo\"}");
  private static final List<String> ODD_VALUES =
      List.of(
          "[]",
          "{}",
          "null",
          "true",
          "\"\"",
          "-0",
          "1e308",
          "1e999999",
          "-1e-999999",
          "123456789012345678901234567890123456789012345678901234567890",
          "99999999999999999999",
          "0.000000000000000000000000000001",
          "NaN",
          "\"\\ud800\"",
          "{\"text\":1,\"n\":\"x\"}",
          "{\"text\":null,\"n\":null}",
          "[[[[[[[[[[]]]]]]]]]]",
          "{\"roomId\":\"" + "r".repeat(300) + "\"}",
          "\"\\u0000\"");

  private static ZocketServer server;
  private static RawClient fuzzer;
  private static JdkClient observer;
  private static String observerId;
  private static final AtomicInteger syncs = new AtomicInteger();
  private static final AtomicInteger framesSent = new AtomicInteger();

  @BeforeContainer
  static void start() throws IOException {
    server = Servers.standard().rateLimit(0, 1).start();
    fuzzer = RawClient.connect(server.port(), "/?user-name=Fuzz");
    observer = JdkClient.connect(server.port(), "?user-name=Observer");
    observer.call("t.whoami", null);
    String me = observer.next();
    observerId = me.substring(me.indexOf("\"clientId\":\"") + 12).split("\"")[0];
  }

  @AfterContainer
  static void stop() throws IOException {
    fuzzer.close();
    observer.close();
    server.close();
    assertThat(framesSent.get()).isGreaterThanOrEqualTo(10_000);
    LeakDetection.assertNoLeaks();
  }

  @Property(tries = 1000, seed = "20261125")
  void mutatedFramesLeaveTheConnectionUsable(
      @ForAll("batch") List<Tuple.Tuple2<byte[], Boolean>> batch) throws IOException {
    for (Tuple.Tuple2<byte[], Boolean> f : batch) {
      boolean text = f.get2() && isUtf8(f.get1());
      fuzzer.send(text ? RawClient.TEXT : RawClient.BINARY, true, f.get1());
      framesSent.incrementAndGet();
    }
    // The same connection still answers a valid call.
    String id = "sync-" + syncs.incrementAndGet();
    fuzzer.sendText("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"" + id + "\"}");
    String expected = "{\"type\":\"__rpc_res\",\"payload\":\"seq 1\",\"rpcId\":\"" + id + "\"}";
    String got = null;
    for (int i = 0; i < 1000 && !expected.equals(got); i++) {
      RawClient.Frame frame = fuzzer.readSkippingPings();
      assertThat(frame).as("the server closed the fuzzed connection").isNotNull();
      assertThat(frame.opcode()).as(() -> "frame " + frame.text()).isEqualTo(RawClient.TEXT);
      got = frame.text();
    }
    assertThat(got).isEqualTo(expected);
    // Another connection still gets its events.
    server.emit(Events.class).to(observerId).onText(id);
    assertThat(observer.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"" + id + "\"}");
  }

  @Property(tries = 60, seed = "20261125")
  void protocolViolationsCloseOnlyTheirConnection(@ForAll("violation") byte[] wire)
      throws IOException {
    try (RawClient victim = RawClient.connect(server.port(), "/?user-name=V")) {
      victim.sendRaw(wire);
      assertThat(victim.awaitEof()).as("the server closed the broken connection").isTrue();
    }
    String id = "after-violation-" + syncs.incrementAndGet();
    server.emit(Events.class).to(observerId).onText(id);
    assertThat(observer.next()).isEqualTo("{\"type\":\"ev.onText\",\"payload\":\"" + id + "\"}");
  }

  // ------------------------------------------------------------------ generators

  @Provide
  Arbitrary<List<Tuple.Tuple2<byte[], Boolean>>> batch() {
    Arbitrary<Tuple.Tuple2<byte[], Boolean>> one =
        Combinators.combine(mutant(), Arbitraries.of(true, true, true, false)).as(Tuple::of);
    return one.list().ofSize(FRAMES_PER_TRY);
  }

  private static Arbitrary<byte[]> mutant() {
    Arbitrary<String> seed = Arbitraries.of(SEEDS);
    Arbitrary<byte[]> seedBytes = seed.map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.frequencyOf(
        Tuple.of(2, seedBytes),
        Tuple.of(4, flips(seedBytes)),
        Tuple.of(3, truncations(seedBytes)),
        Tuple.of(3, insertions(seedBytes)),
        Tuple.of(3, typeConfusion(seed)),
        Tuple.of(2, deepNesting()),
        Tuple.of(2, hugeNumbers()),
        Tuple.of(2, randomText()),
        Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)));
  }

  private static Arbitrary<byte[]> flips(Arbitrary<byte[]> seeds) {
    return Combinators.combine(
            seeds,
            Arbitraries.integers().between(0, 10_000).list().ofMinSize(1).ofMaxSize(4),
            Arbitraries.bytes().list().ofSize(4))
        .as(
            (b, positions, values) -> {
              byte[] copy = b.clone();
              for (int i = 0; i < positions.size(); i++) {
                copy[positions.get(i) % copy.length] = values.get(i);
              }
              return copy;
            });
  }

  private static Arbitrary<byte[]> truncations(Arbitrary<byte[]> seeds) {
    return Combinators.combine(seeds, Arbitraries.integers().between(0, 10_000))
        .as((b, at) -> Arrays.copyOf(b, at % b.length));
  }

  private static Arbitrary<byte[]> insertions(Arbitrary<byte[]> seeds) {
    Arbitrary<byte[]> inserts =
        Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8),
            Arbitraries.of("{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "null", "\u0000")
                .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    return Combinators.combine(seeds, Arbitraries.integers().between(0, 10_000), inserts)
        .as(
            (b, at, insert) -> {
              int pos = at % (b.length + 1);
              byte[] out = new byte[b.length + insert.length];
              System.arraycopy(b, 0, out, 0, pos);
              System.arraycopy(insert, 0, out, pos, insert.length);
              System.arraycopy(b, pos, out, pos + insert.length, b.length - pos);
              return out;
            });
  }

  private static Arbitrary<byte[]> typeConfusion(Arbitrary<String> seeds) {
    Arbitrary<String> values = Arbitraries.of(ODD_VALUES);
    Arbitrary<String> fields = Arbitraries.of("type", "payload", "rpcId");
    return Combinators.combine(seeds, fields, values)
        .as(
            (s, field, value) -> {
              String key = "\"" + field + "\":";
              int at = s.indexOf(key);
              String replaced =
                  at < 0
                      ? s.substring(0, s.length() - 1) + "," + key + value + "}"
                      : s.substring(0, at + key.length())
                          + value
                          + s.substring(endOfValue(s, at + key.length()));
              return replaced.getBytes(StandardCharsets.UTF_8);
            });
  }

  /** The end of the JSON value at {@code from} in a seed (an object, string, or scalar). */
  private static int endOfValue(String s, int from) {
    char c = s.charAt(from);
    if (c == '{' || c == '[') {
      int depth = 0;
      for (int i = from; i < s.length(); i++) {
        char d = s.charAt(i);
        if (d == '{' || d == '[') {
          depth++;
        } else if (d == '}' || d == ']') {
          if (--depth == 0) {
            return i + 1;
          }
        }
      }
      return s.length() - 1;
    }
    if (c == '"') {
      for (int i = from + 1; i < s.length(); i++) {
        if (s.charAt(i) == '\\') {
          i++;
        } else if (s.charAt(i) == '"') {
          return i + 1;
        }
      }
      return s.length() - 1;
    }
    int i = from;
    while (i < s.length() - 1 && s.charAt(i) != ',' && s.charAt(i) != '}') {
      i++;
    }
    return i;
  }

  private static Arbitrary<byte[]> deepNesting() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 5000),
            Arbitraries.of("[", "{\"a\":"),
            Arbitraries.of(true, false))
        .as(
            (depth, open, call) -> {
              String close = open.equals("[") ? "]" : "}";
              return ("{\"type\":\"t.echo\",\"payload\":"
                      + open.repeat(depth)
                      + "1"
                      + close.repeat(depth)
                      + (call ? ",\"rpcId\":\"deep\"" : "")
                      + "}")
                  .getBytes(StandardCharsets.UTF_8);
            });
  }

  private static Arbitrary<byte[]> hugeNumbers() {
    return Arbitraries.integers()
        .between(1, 20_000)
        .map(
            digits ->
                ("{\"type\":\"t.seq\",\"payload\":"
                        + "9".repeat(digits)
                        + ".5e"
                        + "9".repeat(Math.min(digits, 12))
                        + ",\"rpcId\":\"big\"}")
                    .getBytes(StandardCharsets.UTF_8));
  }

  private static Arbitrary<byte[]> randomText() {
    return Arbitraries.strings()
        .all()
        .ofMaxLength(200)
        .map(
            s ->
                (s.length() % 2 == 0
                        ? s
                        : "{\"type\":\"" + s + "\",\"payload\":\"" + s + "\",\"rpcId\":\"u\"}")
                    .getBytes(StandardCharsets.UTF_8));
  }

  @Provide
  Arbitrary<byte[]> violation() {
    byte[] invalidUtf8 = {'{', (byte) 0xc3, (byte) 0x28, '}'};
    return Arbitraries.oneOf(
        // a text frame that is not UTF-8 (1007)
        Arbitraries.just(RawClient.frame(RawClient.TEXT, true, 0, invalidUtf8)),
        // reserved opcodes 3-7 and 11-15
        Arbitraries.of(3, 4, 5, 6, 7, 11, 12, 13, 14, 15)
            .map(op -> RawClient.frame(op, true, 0, new byte[] {1, 2})),
        // RSV bits without an extension
        Arbitraries.integers()
            .between(1, 7)
            .map(rsv -> RawClient.frame(RawClient.TEXT, true, rsv, "{}".getBytes())),
        // a continuation frame with nothing to continue
        Arbitraries.just(RawClient.frame(0, true, 0, "{}".getBytes())),
        // a fragmented ping
        Arbitraries.just(RawClient.frame(RawClient.PING, false, 0, new byte[] {1})),
        // an oversized message (1009)
        Arbitraries.just(RawClient.frame(RawClient.BINARY, true, 0, new byte[70_000])));
  }

  private static boolean isUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
