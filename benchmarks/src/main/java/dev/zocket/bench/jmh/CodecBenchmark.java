package dev.zocket.bench.jmh;

import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.internal.EnvelopeReader;
import dev.zocket.internal.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec alone: decode an envelope and bind its payload to a record in one pass; encode an
 * event. Run with {@code -prof gc} for allocation per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private JsonCodec codec;
  private byte[] frame;
  private EnvelopeReader.PayloadTypes types;
  private ChatMessage event;

  /** Builds the codec and the inputs. */
  @Setup
  public void setup() {
    codec = JsonCodec.defaults();
    frame =
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"hello, world\"}}"
            .getBytes(StandardCharsets.UTF_8);
    var type = codec.mapper().constructType(PostMessage.class);
    types = route -> route.equals("rooms.message") ? () -> type : null;
    event =
        new ChatMessage(
            "general", "Alice", "hello, world", Instant.parse("2026-11-25T18:43:13.464Z"));
  }

  /** Envelope parsed and payload bound to {@link PostMessage}. */
  @Benchmark
  public Object decodeAndBind() {
    List<String> why = new ArrayList<>(1);
    return codec.reader().decode(frame, 0, frame.length, types, why).payload();
  }

  /** {@code rooms.onMessage} event encoded to bytes. */
  @Benchmark
  public byte[] encodeEvent() {
    return codec.writer().encodeEvent("rooms.onMessage", event, true);
  }
}
