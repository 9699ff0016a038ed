package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ContractException;
import dev.zocket.Emitter;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Namespace;
import dev.zocket.Violation;
import dev.zocket.spi.Target;
import jakarta.validation.constraints.NotBlank;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class EventEmittersTest {
  /** Counts reads of {@code userName}: one per serialization. */
  record Joined(@NotBlank String roomId, String userName) {
    @Override
    public String userName() {
      READS.incrementAndGet();
      return userName;
    }
  }

  static final AtomicInteger READS = new AtomicInteger();

  @Namespace("rooms")
  interface RoomEvents {
    void onJoin(Joined event);

    void onReset();

    default void onJoinAll(List<Joined> all) {
      all.forEach(this::onJoin);
    }
  }

  interface NotEvents {
    String ask(Joined j);
  }

  /** Records every delivery: the target and the frame as text. */
  static final class CountingDelivery implements Delivery {
    final List<Target> targets = new CopyOnWriteArrayList<>();
    final List<byte[]> frames = new CopyOnWriteArrayList<>();

    @Override
    public void deliver(String route, Target target, Outgoing event) {
      byte[] frame = event.toBytes();
      targets.add(target);
      frames.add(frame);
    }

    String text(int i) {
      return new String(frames.get(i), UTF_8);
    }
  }

  private final JsonCodec codec = JsonCodec.defaults();
  private final PayloadValidator validator = new PayloadValidator(codec.mapper());
  private final CountingDelivery delivery = new CountingDelivery();
  private final EventEmitters emitters = new EventEmitters(codec, validator, true, delivery);

  @Test
  void encodesOncePerSendWhateverTheTarget() {
    READS.set(0);
    emitters
        .emitter(RoomEvents.class)
        .toRoom("general", "random")
        .onJoin(new Joined("general", "Al"));
    assertThat(READS.get()).isEqualTo(1); // one serialization, however many recipients
    assertThat(delivery.frames).hasSize(1);
    assertThat(delivery.text(0))
        .isEqualTo(
            "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Al\"}}");
    assertThat(delivery.targets)
        .containsExactly(new Target(Target.Kind.ROOMS, List.of("general", "random"), List.of()));
  }

  @Test
  void eventWithoutPayload() {
    emitters.emitter(RoomEvents.class).broadcast().onReset();
    assertThat(delivery.text(0)).isEqualTo("{\"type\":\"rooms.onReset\"}");
    assertThat(delivery.targets)
        .containsExactly(new Target(Target.Kind.EVERYONE, List.of(), List.of()));
  }

  @Test
  void outgoingValidationRejectsBeforeDelivery() {
    RoomEvents to = emitters.emitter(RoomEvents.class).to("c1");
    assertThatThrownBy(() -> to.onJoin(new Joined(" ", "Al")))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e -> {
              assertThat(e).hasMessage("Invalid payload for rooms.onJoin");
              assertThat(e.details()).containsExactly(new Violation("roomId", "must not be blank"));
            });
    assertThat(delivery.frames).isEmpty();
  }

  @Test
  void outgoingValidationOff() {
    EventEmitters unchecked = new EventEmitters(codec, validator, false, delivery);
    unchecked.emitter(RoomEvents.class).to("c1").onJoin(new Joined(" ", "Al"));
    assertThat(delivery.text(0))
        .isEqualTo(
            "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\" \",\"userName\":\"Al\"}}");
  }

  @Test
  void exceptAccumulates() {
    Emitter<RoomEvents> e = emitters.emitter(RoomEvents.class);
    assertThat(e.except()).isSameAs(e);
    Emitter<RoomEvents> twice = e.except("a").except("b", "c");
    twice.toRoom("r").onReset();
    twice.to("x", "y").onReset();
    e.broadcast().onReset(); // the original is unchanged
    assertThat(delivery.targets)
        .containsExactly(
            new Target(Target.Kind.ROOMS, List.of("r"), List.of("a", "b", "c")),
            new Target(Target.Kind.CLIENTS, List.of("x", "y"), List.of("a", "b", "c")),
            new Target(Target.Kind.EVERYONE, List.of(), List.of()));
    assertThat(twice).hasToString("Emitter(RoomEvents except [a, b, c])");
    assertThat(e).hasToString("Emitter(RoomEvents)");
  }

  @Test
  void emitterIsCachedPerContract() {
    assertThat(emitters.emitter(RoomEvents.class)).isSameAs(emitters.emitter(RoomEvents.class));
  }

  @Test
  void proxyObjectMethodsAndDefaultMethods() {
    RoomEvents a = emitters.emitter(RoomEvents.class).except("me").toRoom("general");
    RoomEvents b = emitters.emitter(RoomEvents.class).except("me").toRoom("general");
    assertThat(a).isEqualTo(a).isNotEqualTo(b).isNotEqualTo(null);
    assertThat(a.hashCode()).isEqualTo(a.hashCode()).isEqualTo(System.identityHashCode(a));
    assertThat(a).hasToString("RoomEvents emitter to ROOMS [general] except [me]");
    assertThat(emitters.emitter(RoomEvents.class).to("c1"))
        .hasToString("RoomEvents emitter to CLIENTS [c1]");
    assertThat(delivery.frames).isEmpty();

    // In an event contract a default method is an event of its own (listeners may skip it).
    a.onJoinAll(List.of(new Joined("general", "x"), new Joined("general", "y")));
    assertThat(delivery.frames).hasSize(1);
    assertThat(delivery.text(0)).startsWith("{\"type\":\"rooms.onJoinAll\",\"payload\":[");
  }

  /** A client-to-server contract, not public, with a helper default method. */
  interface Greeter {
    void greet(String name);

    default void greetAll(List<String> names) {
      names.forEach(this::greet);
    }
  }

  @Test
  void defaultMethodsOfNonPublicContractsRun() {
    List<String> greeted = new ArrayList<>();
    Greeter proxy =
        (Greeter)
            Proxy.newProxyInstance(
                Greeter.class.getClassLoader(),
                new Class<?>[] {Greeter.class},
                (p, method, args) -> {
                  if (method.getName().equals("greet")) {
                    greeted.add((String) args[0]);
                    return null;
                  }
                  return Proxies.local(p, method, args, () -> "greeter");
                });
    proxy.greetAll(List.of("a", "b"));
    assertThat(greeted).containsExactly("a", "b");
    assertThat(proxy).hasToString("greeter");
  }

  @Test
  void nonEventContractIsRejected() {
    assertThatThrownBy(() -> emitters.emitter(NotEvents.class))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Event methods must return void, or CompletableFuture<T> for an event the client"
                + " acknowledges; found java.lang.String. Return CompletableFuture<String>, or move"
                + " calls to a client-to-server contract.\n    for method NotEvents.ask");
  }

  @Test
  void encodeForTransports() {
    RouteDescriptor onJoin = Contracts.events(RoomEvents.class).routes().get(0);
    assertThat(new String(emitters.event(onJoin, new Joined("r", null)).toBytes(), UTF_8))
        .isEqualTo("{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"r\",\"userName\":null}}");
    assertThatThrownBy(() -> emitters.event(onJoin, new Joined("", null)))
        .isInstanceOf(InvalidPayloadException.class);
  }
}
