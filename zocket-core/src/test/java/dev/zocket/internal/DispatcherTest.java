package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.Context;
import dev.zocket.Emitter;
import dev.zocket.ErrorCodes;
import dev.zocket.Interceptor;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.RoomSet;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transport-independent dispatcher, driven with raw frames through a recording {@link
 * Connection} (an in-memory list of the frames it was asked to send).
 */
final class DispatcherTest {
  record JoinRoom(@NotBlank @Size(max = 64) String roomId) {}

  record Text(String text) {}

  @Namespace("rooms")
  interface Rooms {
    void join(JoinRoom request);

    String echo(Text text);

    CompletableFuture<Integer> later(Text text);

    List<String> members();

    void boom(Text text);

    String fail(Text text);

    CompletableFuture<String> failAsync(Text text);

    String whoami();

    void admin();

    int count(int n);

    Object any(Object value);

    @NonBlocking
    void quick();
  }

  /** One connection's handler; records what ran. */
  static final class RoomsHandler implements Rooms {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Context<?> context;
    final CompletableFuture<Integer> pending = new CompletableFuture<>();

    RoomsHandler(Context<?> context) {
      this.context = context;
    }

    @Override
    public void join(JoinRoom request) {
      calls.add("join " + request.roomId());
    }

    @Override
    public String echo(Text text) {
      calls.add("echo " + text.text());
      return text.text();
    }

    @Override
    public CompletableFuture<Integer> later(Text text) {
      calls.add("later " + text.text());
      return pending;
    }

    @Override
    public List<String> members() {
      calls.add("members");
      return List.of("alice", "bob");
    }

    @Override
    public void boom(Text text) {
      calls.add("boom");
      throw new IllegalStateException("secret: db password is hunter2");
    }

    @Override
    public String fail(Text text) {
      calls.add("fail");
      throw new ZocketException(
          "NOT_A_MEMBER",
          "You are not in room x",
          List.of(new Violation("roomId", "not joined")),
          new RuntimeException("local cause"));
    }

    @Override
    public CompletableFuture<String> failAsync(Text text) {
      calls.add("failAsync");
      return CompletableFuture.failedFuture(new ZocketException("GONE", "Too late"));
    }

    @Override
    public String whoami() {
      calls.add("whoami");
      return (String) context.attribute("user");
    }

    @Override
    public void admin() {
      calls.add("admin");
    }

    @Override
    public int count(int n) {
      calls.add("count " + n);
      return n + 1;
    }

    @Override
    public Object any(Object value) {
      calls.add("any " + value);
      return value;
    }

    @Override
    public void quick() {
      calls.add("quick");
    }
  }

  /** The handler side of a connection as the dispatcher sees it: frames sent go to a list. */
  static final class RecordingConnection implements Connection {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final TestContext context = new TestContext();
    final Object[] handlers;

    RecordingConnection(RouteTable routes) {
      this.handlers = routes.newHandlers(context);
    }

    @Override
    public Context<?> context() {
      return context;
    }

    @Override
    public Object handler(int index) {
      return handlers[index];
    }

    @Override
    public void send(Outgoing frame) {
      sent.add(new String(frame.toBytes(), UTF_8)); // a failing writeTo throws: nothing is added
    }

    RoomsHandler rooms() {
      return (RoomsHandler) handlers[0];
    }
  }

  static final class TestContext implements Context<Object> {
    final Map<String, Object> attributes = new ConcurrentHashMap<>();

    @Override
    public String clientId() {
      return "c1";
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
      return attributes.get(name);
    }

    @Override
    public void attribute(String name, Object value) {
      if (value == null) {
        attributes.remove(name);
      } else {
        attributes.put(name, value);
      }
    }

    @Override
    public void close() {
      throw new UnsupportedOperationException();
    }
  }

  private static final List<String> intercepted = new CopyOnWriteArrayList<>();

  private static final Interceptor AUTH =
      (ctx, route, payload) -> {
        intercepted.add(route + " " + payload);
        ctx.attribute("user", "alice");
        if (route.equals("rooms.admin")) {
          throw new ZocketException(ErrorCodes.FORBIDDEN, "Admins only");
        }
      };

  private static final RouteTable ROUTES =
      RouteTable.builder().add(Rooms.class, RoomsHandler::new).build();

  private final JsonCodec codec = JsonCodec.defaults();
  private final Drops drops = new Drops();
  private final Dispatcher dispatcher =
      new Dispatcher(ROUTES, codec, new PayloadValidator(codec.mapper()), List.of(AUTH), drops);
  private final RecordingConnection connection = new RecordingConnection(ROUTES);

  // ------------------------------------------------------------------ hostile and malformed frames

  static Stream<Arguments> frames() {
    String notFound1 =
        "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"NOT_FOUND\","
            + "\"message\":\"No route 'rooms.nope'\"}}";
    return Stream.of(
        row("not JSON", "hello", List.of(), List.of()),
        row("empty", "", List.of(), List.of()),
        row("white space only", " \n\t ", List.of(), List.of()),
        row("an array", "[]", List.of(), List.of()),
        row(
            "an array of envelopes",
            "[{\"type\":\"rooms.members\",\"rpcId\":\"1\"}]",
            List.of(),
            List.of()),
        row("a string", "\"str\"", List.of(), List.of()),
        row("a number", "42", List.of(), List.of()),
        row("null", "null", List.of(), List.of()),
        row("empty object", "{}", List.of(), List.of()),
        row(
            "type missing",
            "{\"payload\":{\"roomId\":\"a\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row("type a number", "{\"type\":5,\"rpcId\":\"1\"}", List.of(), List.of()),
        row("type an object", "{\"type\":{\"a\":1},\"rpcId\":\"1\"}", List.of(), List.of()),
        row(
            "type an array",
            "{\"type\":[\"rooms.members\"],\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row("type null", "{\"type\":null,\"rpcId\":\"1\"}", List.of(), List.of()),
        row(
            "rpcId a number",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"},\"rpcId\":7}",
            List.of(),
            List.of()),
        row("rpcId an object", "{\"type\":\"rooms.members\",\"rpcId\":{}}", List.of(), List.of()),
        row(
            "huge exponent into an int",
            "{\"type\":\"rooms.count\",\"payload\":1e400,\"rpcId\":\"1\"}",
            List.of(
                invalid(
                    "1",
                    "rooms.count",
                    "",
                    "expected integer from -2147483648 to 2147483647, got 1e400")),
            List.of()),
        row(
            "int out of range",
            "{\"type\":\"rooms.count\",\"payload\":99999999999,\"rpcId\":\"1\"}",
            List.of(
                invalid(
                    "1",
                    "rooms.count",
                    "",
                    "expected integer from -2147483648 to 2147483647, got 99999999999")),
            List.of()),
        row(
            "10^1000 as digits",
            "{\"type\":\"rooms.count\",\"payload\":1" + "0".repeat(1000) + ",\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "10^1000 in an unknown field",
            "{\"type\":\"rooms.members\",\"x\":1" + "0".repeat(1000) + ",\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "1000 levels of nesting",
            "{\"type\":\"rooms.any\",\"payload\":"
                + "[".repeat(1000)
                + "]".repeat(1000)
                + ",\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "1000 levels of nesting in an unknown field",
            "{\"type\":\"rooms.members\",\"x\":"
                + "{\"a\":".repeat(1000)
                + "1"
                + "}".repeat(1000)
                + ",\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "string beyond the limit",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\""
                + "x".repeat(1_000_001)
                + "\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "string beyond the limit, payload first",
            "{\"payload\":{\"text\":\""
                + "x".repeat(1_000_001)
                + "\"},\"type\":\"rooms.echo\",\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate type",
            "{\"type\":\"rooms.echo\",\"type\":\"rooms.boom\","
                + "\"payload\":{\"text\":\"a\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate key in the payload",
            "{\"type\":\"rooms.echo\","
                + "\"payload\":{\"text\":\"a\",\"text\":\"b\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate key deeper in the payload",
            "{\"type\":\"rooms.any\"," + "\"payload\":{\"a\":[{\"x\":1,\"x\":2}]},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate key in the payload, after an unknown key holding objects",
            "{\"meta\":{\"a\":{\"b\":1}},\"type\":\"rooms.echo\","
                + "\"payload\":{\"text\":\"a\",\"text\":\"b\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate key deep in the payload, after an unknown key holding objects",
            "{\"meta\":{\"a\":{\"b\":1}},\"type\":\"rooms.any\","
                + "\"payload\":{\"a\":{\"x\":1,\"x\":2}},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate payload",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"},"
                + "\"payload\":{\"text\":\"b\"},\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "duplicate rpcId",
            "{\"type\":\"rooms.echo\",\"rpcId\":\"1\","
                + "\"payload\":{\"text\":\"a\"},\"rpcId\":\"2\"}",
            List.of(),
            List.of()),
        row(
            "duplicate key after the payload, in the envelope",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"},"
                + "\"extra\":1,\"extra\":2,\"rpcId\":\"1\"}",
            List.of(),
            List.of()),
        row(
            "trailing garbage",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"}," + "\"rpcId\":\"1\"} x",
            List.of(),
            List.of()),
        row(
            "a second object",
            "{\"type\":\"rooms.members\",\"rpcId\":\"1\"}"
                + "{\"type\":\"rooms.members\",\"rpcId\":\"2\"}",
            List.of(),
            List.of()),
        row(
            "truncated",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"",
            List.of(),
            List.of()),
        row(
            "truncated after a bad payload",
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":[1,",
            List.of(),
            List.of()),
        row("unknown route", "{\"type\":\"rooms.nope\",\"payload\":{}}", List.of(), List.of()),
        row(
            "unknown route with rpcId",
            "{\"type\":\"rooms.nope\",\"payload\":{},\"rpcId\":\"1\"}",
            List.of(notFound1),
            List.of()),
        row(
            "a reply sent to the server",
            "{\"type\":\"__rpc_res\",\"payload\":1,\"rpcId\":\"1\"}",
            List.of(
                "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"NOT_FOUND\","
                    + "\"message\":\"No route '__rpc_res'\"}}"),
            List.of()),
        row(
            "payload of the wrong shape",
            "{\"type\":\"rooms.join\",\"payload\":\"general\"}",
            List.of(),
            List.of()),
        row(
            "payload of the wrong shape with rpcId",
            "{\"type\":\"rooms.join\",\"payload\":[\"general\"],\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.join", "", "expected object, got array")),
            List.of()),
        row(
            "field of the wrong shape with rpcId after it",
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":{\"a\":[1,{}]},\"b\":2},\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.join", "roomId", "expected string, got object")),
            List.of()),
        row(
            "field of the wrong shape, payload first",
            "{\"payload\":{\"roomId\":[]},\"rpcId\":\"1\",\"type\":\"rooms.join\"}",
            List.of(invalid("1", "rooms.join", "roomId", "expected string, got array")),
            List.of()),
        row(
            "validation failure",
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\" \"}}",
            List.of(),
            List.of()),
        row(
            "validation failure with rpcId",
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\" \"},\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.join", "roomId", "must not be blank")),
            List.of()),
        row(
            "validation failure, payload first",
            "{\"rpcId\":\"1\",\"payload\":{\"roomId\":\""
                + "r".repeat(65)
                + "\"},"
                + "\"type\":\"rooms.join\"}",
            List.of(invalid("1", "rooms.join", "roomId", "size must be between 0 and 64")),
            List.of()),
        row(
            "null payload for a record",
            "{\"type\":\"rooms.join\",\"payload\":null,\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.join", "", "expected object, got null")),
            List.of()),
        row(
            "missing payload for a record",
            "{\"type\":\"rooms.join\",\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.join", "", "required")),
            List.of()),
        row(
            "null payload for an int",
            "{\"type\":\"rooms.count\",\"payload\":null,\"rpcId\":\"1\"}",
            List.of(invalid("1", "rooms.count", "", "expected integer, got null")),
            List.of()),
        row(
            "null payload for Object",
            "{\"type\":\"rooms.any\",\"payload\":null,\"rpcId\":\"1\"}",
            List.of("{\"type\":\"__rpc_res\",\"payload\":null,\"rpcId\":\"1\"}"),
            List.of("any null")),
        row(
            "handler throws",
            "{\"type\":\"rooms.boom\",\"payload\":{\"text\":\"a\"},\"rpcId\":\"1\"}",
            List.of(
                "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"INTERNAL\","
                    + "\"message\":\"Internal error\"}}"),
            List.of("boom")),
        row(
            "handler throws, no rpcId",
            "{\"type\":\"rooms.boom\",\"payload\":{\"text\":\"a\"}}",
            List.of(),
            List.of("boom")),
        row(
            "handler throws ZocketException",
            "{\"type\":\"rooms.fail\",\"payload\":{\"text\":\"a\"},\"rpcId\":\"1\"}",
            List.of(
                "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"NOT_A_MEMBER\","
                    + "\"message\":\"You are not in room x\","
                    + "\"details\":[{\"path\":\"roomId\",\"message\":\"not joined\"}]}}"),
            List.of("fail")),
        row(
            "handler returns a failed future",
            "{\"type\":\"rooms.failAsync\",\"payload\":{\"text\":\"a\"},\"rpcId\":\"1\"}",
            List.of(
                "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"GONE\","
                    + "\"message\":\"Too late\"}}"),
            List.of("failAsync")),
        row(
            "handler returns a failed future, no rpcId",
            "{\"type\":\"rooms.failAsync\",\"payload\":{\"text\":\"a\"}}",
            List.of(),
            List.of("failAsync")),
        row(
            "interceptor rejects",
            "{\"type\":\"rooms.admin\",\"rpcId\":\"1\"}",
            List.of(
                "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"FORBIDDEN\","
                    + "\"message\":\"Admins only\"}}"),
            List.of()),
        row("interceptor rejects, no rpcId", "{\"type\":\"rooms.admin\"}", List.of(), List.of()),
        row(
            "interceptor sets an attribute the handler reads",
            "{\"type\":\"rooms.whoami\",\"rpcId\":\"1\"}",
            List.of("{\"type\":\"__rpc_res\",\"payload\":\"alice\",\"rpcId\":\"1\"}"),
            List.of("whoami")),
        row(
            "payload for a route without one is ignored",
            "{\"type\":\"rooms.members\",\"payload\":{\"x\":[1,2]},\"rpcId\":\"1\"}",
            List.of("{\"type\":\"__rpc_res\",\"payload\":[\"alice\",\"bob\"],\"rpcId\":\"1\"}"),
            List.of("members")),
        row(
            "unknown keys are ignored",
            "{\"v\":1,\"type\":\"rooms.echo\",\"meta\":[{}],\"payload\":{\"text\":\"hi\",\"x\":1},"
                + "\"rpcId\":\"1\",\"z\":null}",
            List.of("{\"type\":\"__rpc_res\",\"payload\":\"hi\",\"rpcId\":\"1\"}"),
            List.of("echo hi")),
        row(
            "empty rpcId is still an rpcId",
            "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"a\"}," + "\"rpcId\":\"\"}",
            List.of("{\"type\":\"__rpc_res\",\"payload\":\"a\",\"rpcId\":\"\"}"),
            List.of("echo a")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void frame(String name, byte[] frame, List<String> expectedFrames, List<String> expectedCalls) {
    assertThatCode(() -> dispatcher.dispatch(connection, frame, 0, frame.length))
        .doesNotThrowAnyException();
    assertThat(connection.sent).isEqualTo(expectedFrames);
    assertThat(connection.rooms().calls).isEqualTo(expectedCalls);
  }

  @Test
  void invalidUtf8() {
    byte[] head = "{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"".getBytes(UTF_8);
    byte[] tail = "\"},\"rpcId\":\"1\"}".getBytes(UTF_8);
    for (byte[] bad :
        List.of(
            new byte[] {(byte) 0xC3, 0x28},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(head);
      out.writeBytes(bad);
      out.writeBytes(tail);
      byte[] frame = out.toByteArray();
      assertThatCode(() -> dispatcher.dispatch(connection, frame, 0, frame.length))
          .doesNotThrowAnyException();
    }
    byte[] inType = "{\"type\":\"rooms.\u00ff\",\"rpcId\":\"1\"}".getBytes(UTF_8);
    inType[17] = (byte) 0xFF;
    dispatcher.dispatch(connection, inType, 0, inType.length);
    assertThat(connection.sent).isEmpty();
    assertThat(connection.rooms().calls).isEmpty();
  }

  @Test
  void connectionSurvivesHostileFrames() {
    frames()
        .forEach(
            a -> {
              byte[] frame = (byte[]) a.get()[1];
              dispatcher.dispatch(connection, frame, 0, frame.length);
            });
    connection.sent.clear();
    send("{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"still here\"},\"rpcId\":\"z\"}");
    assertThat(connection.sent)
        .containsExactly("{\"type\":\"__rpc_res\",\"payload\":\"still here\",\"rpcId\":\"z\"}");
  }

  // ------------------------------------------------------------------ calls

  @Test
  void callReturningAValue() {
    send("{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"hi\"},\"rpcId\":\"k3j4\"}");
    assertThat(connection.sent)
        .containsExactly("{\"type\":\"__rpc_res\",\"payload\":\"hi\",\"rpcId\":\"k3j4\"}");
  }

  @Test
  void callWithoutRpcIdIsNotAnswered() {
    send("{\"type\":\"rooms.echo\",\"payload\":{\"text\":\"hi\"}}");
    assertThat(connection.sent).isEmpty();
    assertThat(connection.rooms().calls).containsExactly("echo hi");
  }

  @Test
  void futureCompletingLater() {
    send("{\"type\":\"rooms.later\",\"payload\":{\"text\":\"x\"},\"rpcId\":\"7\"}");
    assertThat(connection.rooms().calls).containsExactly("later x");
    assertThat(connection.sent).isEmpty();
    connection.rooms().pending.complete(42);
    assertThat(connection.sent)
        .containsExactly("{\"type\":\"__rpc_res\",\"payload\":42,\"rpcId\":\"7\"}");
  }

  @Test
  void futureFailingLaterWithAPlainException() {
    send("{\"type\":\"rooms.later\",\"payload\":{\"text\":\"x\"},\"rpcId\":\"7\"}");
    connection.rooms().pending.completeExceptionally(new IllegalStateException("secret"));
    assertThat(connection.sent)
        .containsExactly(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"7\",\"error\":{\"code\":\"INTERNAL\","
                + "\"message\":\"Internal error\"}}");
  }

  @Test
  void voidRouteCalledWithRpcIdIsAnsweredWithoutPayload() {
    send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"k3j4\"}");
    assertThat(connection.rooms().calls).containsExactly("join general");
    assertThat(connection.sent).containsExactly("{\"type\":\"__rpc_res\",\"rpcId\":\"k3j4\"}");
  }

  @Test
  void fireAndForget() {
    send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    assertThat(connection.rooms().calls).containsExactly("join general");
    assertThat(connection.sent).isEmpty();
  }

  @Test
  void routeWithoutParameter() {
    send("{\"type\":\"rooms.members\",\"rpcId\":\"m\"}");
    assertThat(connection.sent)
        .containsExactly(
            "{\"type\":\"__rpc_res\",\"payload\":[\"alice\",\"bob\"],\"rpcId\":\"m\"}");
  }

  @Test
  void primitivePayload() {
    send("{\"type\":\"rooms.count\",\"payload\":41,\"rpcId\":\"n\"}");
    assertThat(connection.sent)
        .containsExactly("{\"type\":\"__rpc_res\",\"payload\":42,\"rpcId\":\"n\"}");
  }

  @Test
  void interceptorSeesRouteAndBoundPayload() {
    intercepted.clear();
    send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    send("{\"type\":\"rooms.members\"}");
    assertThat(intercepted)
        .containsExactly("rooms.join JoinRoom[roomId=general]", "rooms.members null");
  }

  @Test
  void interceptorsRunInOrderAndTheFirstRejectionStops() {
    List<String> order = new ArrayList<>();
    Dispatcher d =
        new Dispatcher(
            ROUTES,
            codec,
            new PayloadValidator(codec.mapper()),
            List.of(
                (ctx, route, payload) -> order.add("first"),
                (ctx, route, payload) -> {
                  order.add("second");
                  throw new IllegalArgumentException("bug in an interceptor");
                },
                (ctx, route, payload) -> order.add("third")),
            drops);
    byte[] frame = "{\"type\":\"rooms.members\",\"rpcId\":\"1\"}".getBytes(UTF_8);
    d.dispatch(connection, frame, 0, frame.length);
    assertThat(order).containsExactly("first", "second");
    assertThat(connection.rooms().calls).isEmpty();
    assertThat(connection.sent)
        .containsExactly(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"code\":\"INTERNAL\","
                + "\"message\":\"Internal error\"}}");
  }

  @Test
  void decodeThenHandle() {
    byte[] frame = "{\"type\":\"rooms.quick\",\"rpcId\":\"q\"}".getBytes(UTF_8);
    Dispatcher.Inbound in = dispatcher.decode(frame, 0, frame.length);
    assertThat(in.route()).isEqualTo("rooms.quick");
    assertThat(in.nonBlocking()).isTrue();
    assertThat(connection.rooms().calls).isEmpty();
    dispatcher.handle(connection, in);
    assertThat(connection.rooms().calls).containsExactly("quick");
    assertThat(connection.sent).containsExactly("{\"type\":\"__rpc_res\",\"rpcId\":\"q\"}");

    byte[] blocking = "{\"type\":\"rooms.members\"}".getBytes(UTF_8);
    assertThat(dispatcher.decode(blocking, 0, blocking.length).nonBlocking()).isFalse();
    byte[] error = "{\"type\":\"nope\",\"rpcId\":\"1\"}".getBytes(UTF_8);
    Dispatcher.Inbound answer = dispatcher.decode(error, 0, error.length);
    assertThat(answer.route()).isEqualTo("nope");
    assertThat(answer.nonBlocking()).isTrue();
    byte[] garbage = "nope".getBytes(UTF_8);
    assertThat(dispatcher.decode(garbage, 0, garbage.length)).isNull();
    assertThat(dispatcher.routes()).isSameAs(ROUTES);
  }

  @Test
  void handlerFactoryMustReturnAHandler() {
    RouteTable table = RouteTable.builder().add(Rooms.class, ctx -> null).build();
    assertThatThrownBy(() -> table.newHandlers(new TestContext()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("The handler factory for Rooms returned null, not a Rooms");
    assertThat(table.contracts()).containsExactly(Rooms.class);
    assertThat(table.find("rooms.join").route().route()).isEqualTo("rooms.join");
    assertThat(table.find("rooms.nope")).isNull();
    assertThat(table.find("rooms.join").payloadJavaType().getRawClass()).isEqualTo(JoinRoom.class);
    assertThat(table.find("rooms.members").payloadJavaType()).isNull();
  }

  // ------------------------------------------------------------------ helpers

  private void send(String frame) {
    byte[] data = frame.getBytes(UTF_8);
    dispatcher.dispatch(connection, data, 0, data.length);
  }

  private static Arguments row(String name, String frame, List<String> frames, List<String> calls) {
    return Arguments.of(name, frame.getBytes(UTF_8), frames, calls);
  }

  private static String invalid(String rpcId, String route, String path, String message) {
    return "{\"type\":\"__rpc_res\",\"rpcId\":\""
        + rpcId
        + "\",\"error\":{\"code\":"
        + "\"INVALID_PAYLOAD\",\"message\":\"Invalid payload for "
        + route
        + "\","
        + "\"details\":[{\"path\":\""
        + path
        + "\",\"message\":\""
        + message
        + "\"}]}}";
  }
}
