package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.ContractException;
import dev.zocket.Namespace;
import dev.zocket.client.TestContracts.RoomEvents;
import dev.zocket.testsupport.Unmappable.Opaque;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Builder checks that need no server. */
class BuilderTest {
  private final ZocketClient.Builder builder = ZocketClient.builder(URI.create("ws://127.0.0.1:1"));

  @Test
  void onlyWebSocketUrisWithAHost() {
    assertThatThrownBy(() -> ZocketClient.builder(URI.create("http://example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri must be ws://, wss:// or local://: http://example.com");
    assertThatThrownBy(() -> ZocketClient.builder(URI.create("ws:///path")))
        .hasMessage("uri has no host: ws:///path");
    assertThatThrownBy(() -> ZocketClient.builder(URI.create("local:///path")))
        .hasMessage("uri has no host: local:///path");
    assertThatThrownBy(() -> ZocketClient.builder(null)).hasMessage("uri == null");
  }

  @Test
  void badSettingsAreRejectedQuotingTheValue() {
    assertThatThrownBy(() -> builder.callTimeout(Duration.ZERO))
        .hasMessage("callTimeout must be at least 1 ms: PT0S");
    assertThatThrownBy(() -> builder.idleTimeout(Duration.ofMillis(-5)))
        .hasMessage("idleTimeout must be zero or at least 2 ms: PT-0.005S");
    assertThatThrownBy(() -> builder.maxMessageSize(0))
        .hasMessage("maxMessageSize must be positive: 0");
    assertThatThrownBy(() -> builder.header("", "x")).hasMessage("name is empty");
    assertThatThrownBy(() -> WhileDisconnected.buffer(0, WhileDisconnected.Overflow.FAIL))
        .hasMessage("max must be at least 1: 0");
  }

  interface NotAnEventContract {
    String ask(String question);
  }

  @Namespace("rooms")
  public interface ClashingEvents {
    void onJoin(String roomId);
  }

  @Test
  void listenersAreCheckedAgainstTheContractModel() {
    assertThatThrownBy(() -> builder.on(NotAnEventContract.class, q -> "no"))
        .isInstanceOf(ContractException.class)
        .hasMessageStartingWith("Event methods must return void");
    builder.on(RoomEvents.class, new RoomEvents() {});
    assertThatThrownBy(() -> builder.on(ClashingEvents.class, roomId -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Event rooms.onJoin is declared by RoomEvents.onJoin with payload"
                + " dev.zocket.client.TestContracts$Joined and by ClashingEvents.onJoin with"
                + " payload java.lang.String; one route has one payload type");
  }

  public interface OpaqueEvents {
    void onOpaque(Opaque o);
  }

  @Test
  void anEventTypeJacksonCannotMapIsRefusedBeforeConnecting() {
    assertThatThrownBy(() -> builder.on(OpaqueEvents.class, o -> {}).connect())
        .isInstanceOf(ContractException.class)
        .hasMessageStartingWith(
            "Payload type dev.zocket.testsupport.Unmappable$Opaque cannot be mapped: Opaque has no"
                + " properties Jackson can see")
        .hasMessageEndingWith("for method OpaqueEvents.onOpaque (parameter 'o')");
  }

  @Test
  void policiesDescribeThemselves() {
    assertThat(WhileDisconnected.fail()).hasToString("WhileDisconnected.fail()");
    assertThat(WhileDisconnected.drop()).hasToString("WhileDisconnected.drop()");
    assertThat(WhileDisconnected.buffer(5, WhileDisconnected.Overflow.DROP_OLDEST))
        .hasToString("WhileDisconnected.buffer(5, DROP_OLDEST)")
        .isEqualTo(WhileDisconnected.buffer(5, WhileDisconnected.Overflow.DROP_OLDEST));
  }
}
