package dev.zocket.bench.jmh;

import dev.zocket.Context;
import dev.zocket.Emitter;
import dev.zocket.RoomSet;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.internal.Connection;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.Drops;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.Observers;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.RouteTable;
import dev.zocket.spi.ZocketObserver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Frame in, handler invoked: core's {@link Dispatcher} with a trivial {@link Connection}, for a
 * validated fire-and-forget message and for a call whose reply is encoded. Run with {@code -prof
 * gc}: a fire-and-forget dispatch should allocate the decoded record plus a constant.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DispatchBenchmark {
  /** Whether the dispatcher has an observer (one that does nothing), to measure what it costs. */
  @Param({"false", "true"})
  public boolean observed;

  private Dispatcher dispatcher;
  private TrivialConnection connection;
  private byte[] message;
  private byte[] call;

  /** Builds the dispatcher, one handler and the frames. */
  @Setup
  public void setup() {
    JsonCodec codec = JsonCodec.defaults();
    RouteTable routes = RouteTable.builder().add(Rooms.class, ctx -> new Handler()).build();
    Observers observers =
        observed ? Observers.of(List.of(new ZocketObserver() {})) : Observers.NONE;
    dispatcher =
        new Dispatcher(
            routes,
            codec,
            PayloadValidator.forTypes(
                codec.mapper(), null, Contracts.of(Rooms.class).payloadTypes()),
            List.of(),
            List.of(),
            new Drops(observers),
            observers);
    connection = new TrivialConnection(routes.newHandlers(null));
    message =
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"hello, world\"}}"
            .getBytes(StandardCharsets.UTF_8);
    call =
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"k3j4\"}"
            .getBytes(StandardCharsets.UTF_8);
  }

  /** A validated {@code rooms.message}: decode, bind, validate, invoke. */
  @Benchmark
  public Object fireAndForget() {
    dispatcher.dispatch(connection, message, 0, message.length);
    return connection.handler.last;
  }

  /** A {@code rooms.members} call: decode, bind, validate, invoke, encode the reply. */
  @Benchmark
  public void call(Blackhole bh) {
    dispatcher.dispatch(connection, call, 0, call.length);
    bh.consume(connection.sent);
  }

  /** Records what it was given. */
  static final class Handler implements Rooms {
    private static final List<String> NAMES = List.of("Alice", "Bob");
    Object last;

    @Override
    public void join(RoomId request) {
      last = request;
    }

    @Override
    public void message(PostMessage message) {
      last = message;
    }

    @Override
    public List<String> members(RoomId request) {
      last = request;
      return NAMES;
    }
  }

  /**
   * A connection that writes each frame into one reused buffer, as the transport writes it into a
   * pooled one.
   */
  static final class TrivialConnection implements Connection {
    final Object[] handlers;
    final Handler handler;
    final ByteArrayOutputStream sent = new ByteArrayOutputStream(512);

    TrivialConnection(Object[] handlers) {
      this.handlers = handlers;
      this.handler = (Handler) handlers[0];
    }

    @Override
    public Context<?> context() {
      return BenchContext.INSTANCE;
    }

    @Override
    public Object handler(int index) {
      return handlers[index];
    }

    @Override
    public void send(Outgoing frame) {
      sent.reset();
      frame.writeTo(sent);
    }
  }

  /** The connection's context: a client id for the MDC; nothing else is used. */
  static final class BenchContext implements Context<Object> {
    static final BenchContext INSTANCE = new BenchContext();

    @Override
    public String clientId() {
      return "bench";
    }

    @Override
    public Object user() {
      return null;
    }

    @Override
    public RoomSet rooms() {
      throw new UnsupportedOperationException();
    }

    @Override
    public <E> Emitter<E> emit(Class<E> events) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object attribute(String name) {
      return null;
    }

    @Override
    public void attribute(String name, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
