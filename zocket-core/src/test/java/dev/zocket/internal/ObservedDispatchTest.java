package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.AroundInterceptor;
import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.DispatcherTest.RecordingConnection;
import dev.zocket.internal.DispatcherTest.Rooms;
import dev.zocket.internal.DispatcherTest.RoomsHandler;
import dev.zocket.spi.ZocketObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the dispatcher tells observers, and how around interceptors nest and see a handler's
 * outcome. (The MDC keys are checked in zocket-micrometer's tests, which have an SLF4J backend with
 * an MDC.)
 */
final class ObservedDispatchTest {
  private static final RouteTable ROUTES =
      RouteTable.builder().add(Rooms.class, RoomsHandler::new).build();

  private final JsonCodec codec = JsonCodec.defaults();
  private final RecordingConnection connection = new RecordingConnection(ROUTES);
  private final List<String> seen = new CopyOnWriteArrayList<>();

  /** Records every report as a line; times only as "waited" and "took" when not negative. */
  private final ZocketObserver recorder =
      new ZocketObserver() {
        @Override
        public void onMessageReceived(String route, MessageKind kind) {
          seen.add("received " + route + " " + kind);
        }

        @Override
        public void onMessageHandled(
            String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String error) {
          assertThat(queueWaitNanos).isNotNegative();
          assertThat(handlerNanos).isNotNegative();
          seen.add("handled " + route + " " + kind + " " + error);
        }

        @Override
        public void onDropped(DropReason reason) {
          seen.add("dropped " + reason);
        }
      };

  private Dispatcher dispatcher(List<AroundInterceptor> arounds, ZocketObserver... observers) {
    Observers all = Observers.of(List.of(observers));
    return new Dispatcher(
        ROUTES,
        codec,
        new PayloadValidator(codec.mapper()),
        List.of(),
        arounds,
        new Drops(all),
        all);
  }

  private static void send(Dispatcher d, Connection c, String frame) {
    byte[] bytes = frame.getBytes(UTF_8);
    d.dispatch(c, bytes, 0, bytes.length);
  }

  @Test
  void observersAreToldOfEveryMessageWithItsOutcome() {
    Dispatcher d = dispatcher(List.of(), recorder);
    send(d, connection, "{\"type\":\"rooms.echo\",\"rpcId\":\"1\",\"payload\":{\"text\":\"hi\"}}");
    send(d, connection, "{\"type\":\"rooms.join\",\"rpcId\":\"2\",\"payload\":{\"roomId\":\"\"}}");
    send(d, connection, "{\"type\":\"rooms.nope\",\"rpcId\":\"3\"}");
    send(d, connection, "{\"type\":\"rooms.boom\",\"payload\":{\"text\":\"x\"}}");
    send(
        d,
        connection,
        "{\"type\":\"rooms.failAsync\",\"rpcId\":\"4\",\"payload\":{\"text\":\"x\"}}");
    send(d, connection, "{\"type\":\"rooms.nope\"}");
    send(d, connection, "not json");

    assertThat(seen)
        .containsExactly(
            "received rooms.echo CALL",
            "handled rooms.echo CALL null",
            "received rooms.join CALL",
            "handled rooms.join CALL INVALID_PAYLOAD",
            "received <unknown> CALL",
            "handled <unknown> CALL NOT_FOUND",
            "received rooms.boom MESSAGE",
            "handled rooms.boom MESSAGE INTERNAL",
            "received rooms.failAsync CALL",
            "handled rooms.failAsync CALL GONE",
            "dropped UNKNOWN_ROUTE",
            "dropped MALFORMED");
  }

  @Test
  void aCallRefusedForALimitIsHandledWithItsCode() {
    Dispatcher d = dispatcher(List.of(), recorder);
    byte[] frame = "{\"type\":\"rooms.members\",\"rpcId\":\"9\"}".getBytes(UTF_8);
    Dispatcher.Inbound in = d.decode(frame, 0, frame.length);
    d.refuse(connection, in, new ZocketException(ErrorCodes.RATE_LIMITED, "Slow down"));
    assertThat(seen)
        .containsExactly("received rooms.members CALL", "handled rooms.members CALL RATE_LIMITED");
    assertThat(connection.rooms().calls).isEmpty();
    assertThat(connection.sent)
        .containsExactly(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"9\",\"error\":{\"code\":\"RATE_LIMITED\","
                + "\"message\":\"Slow down\"}}");
  }

  @Test
  void aFailingObserverIsSkippedAndTheOthersAreStillTold() {
    ZocketObserver failing =
        new ZocketObserver() {
          @Override
          public void onMessageReceived(String route, MessageKind kind) {
            throw new IllegalStateException("observer bug");
          }
        };
    Dispatcher d = dispatcher(List.of(), failing, recorder);
    send(d, connection, "{\"type\":\"rooms.members\",\"rpcId\":\"1\"}");
    send(d, connection, "{\"type\":\"rooms.members\",\"rpcId\":\"2\"}");
    assertThat(seen)
        .containsExactly(
            "received rooms.members CALL",
            "handled rooms.members CALL null",
            "received rooms.members CALL",
            "handled rooms.members CALL null");
    assertThat(connection.sent).hasSize(2);
  }

  @Test
  void aroundInterceptorsNestInOrderAndSeeTheOutcome() {
    List<String> order = new ArrayList<>();
    AroundInterceptor outer =
        invocation -> {
          order.add("outer before " + invocation.route() + " call=" + invocation.isCall());
          try {
            Object result = invocation.proceed();
            order.add("outer after " + result);
            return result;
          } catch (ZocketException e) {
            order.add("outer saw " + e.code());
            throw e;
          }
        };
    AroundInterceptor inner =
        invocation -> {
          order.add("inner before " + invocation.payload());
          Object result = invocation.proceed();
          return result instanceof String s ? s.toUpperCase() : result;
        };
    Dispatcher d = dispatcher(List.of(outer, inner), recorder);

    send(d, connection, "{\"type\":\"rooms.echo\",\"rpcId\":\"1\",\"payload\":{\"text\":\"hi\"}}");
    send(d, connection, "{\"type\":\"rooms.fail\",\"rpcId\":\"2\",\"payload\":{\"text\":\"x\"}}");

    assertThat(order)
        .containsExactly(
            "outer before rooms.echo call=true",
            "inner before Text[text=hi]",
            "outer after HI",
            "outer before rooms.fail call=true",
            "inner before Text[text=x]",
            "outer saw NOT_A_MEMBER");
    assertThat(connection.sent.get(0))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"HI\",\"rpcId\":\"1\"}");
    assertThat(connection.sent.get(1)).contains("\"code\":\"NOT_A_MEMBER\"");
    assertThat(seen)
        .containsExactly(
            "received rooms.echo CALL",
            "handled rooms.echo CALL null",
            "received rooms.fail CALL",
            "handled rooms.fail CALL NOT_A_MEMBER");
  }

  @Test
  void anAroundInterceptorSeesTheStageOfAnAsynchronousHandler() {
    List<String> outcomes = new CopyOnWriteArrayList<>();
    AroundInterceptor around =
        invocation -> {
          Object result = invocation.proceed();
          if (result instanceof CompletionStage<?> stage) {
            return stage.whenComplete((v, t) -> outcomes.add(v + " " + t));
          }
          return result;
        };
    Dispatcher d = dispatcher(List.of(around));
    send(d, connection, "{\"type\":\"rooms.later\",\"rpcId\":\"1\",\"payload\":{\"text\":\"x\"}}");
    assertThat(outcomes).isEmpty();
    connection.rooms().pending.complete(42);
    assertThat(outcomes).containsExactly("42 null");
    assertThat(connection.sent)
        .containsExactly("{\"type\":\"__rpc_res\",\"payload\":42,\"rpcId\":\"1\"}");
  }
}
