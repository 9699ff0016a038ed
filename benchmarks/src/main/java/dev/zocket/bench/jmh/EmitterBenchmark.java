package dev.zocket.bench.jmh;

import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.RouteDescriptor;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
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
 * Core's emit path without a transport: {@code ctx.emit(..).toRoom(..).onMessage(..)} as a handler
 * writes it (target, typed proxy, validation, encoding) against validation and encoding alone; the
 * {@code Delivery} writes each event into one reused buffer, as the transport writes it into a
 * pooled one. Run with {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EmitterBenchmark {
  private EventEmitters emitters;
  private RouteDescriptor onMessage;
  private ChatMessage event;
  private final ByteArrayOutputStream delivered = new ByteArrayOutputStream(512);

  /** Builds the emitters over a delivery that keeps the last frame. */
  @Setup
  public void setup() {
    JsonCodec codec = JsonCodec.defaults();
    emitters =
        new EventEmitters(
            codec,
            new PayloadValidator(codec.mapper()),
            true,
            (route, target, event) -> {
              delivered.reset();
              event.writeTo(delivered);
            });
    onMessage =
        Contracts.events(RoomEvents.class).routes().stream()
            .filter(r -> r.route().equals("rooms.onMessage"))
            .findFirst()
            .orElseThrow();
    event =
        new ChatMessage(
            "general", "Alice", "hello, world", Instant.parse("2026-11-25T18:43:13.464Z"));
  }

  /** The handler's idiom: emitter, target, proxy call. */
  @Benchmark
  public int emitToRoomViaProxy() {
    emitters.emitter(RoomEvents.class).toRoom("general").onMessage(event);
    return delivered.size();
  }

  /** Validation and encoding only. */
  @Benchmark
  public int encodeOnly() {
    delivered.reset();
    emitters.event(onMessage, event).writeTo(delivered);
    return delivered.size();
  }
}
