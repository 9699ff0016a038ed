package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.HeaderBinder;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.RouteDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chat contract as the core reads it, and its payloads as they travel. */
final class ContractTest {
  private final JsonCodec codec = JsonCodec.defaults();
  private final PayloadValidator validator = new PayloadValidator(codec.mapper());
  private final ObjectMapper headerMapper =
      JsonMappers.configureForHeaders(new ObjectMapper(), JsonLimits.DEFAULTS);

  @Test
  void routesAreTheSeedRoutesPlusMembers() {
    assertThat(Contracts.of(Rooms.class).routes())
        .extracting(RouteDescriptor::route, RouteDescriptor::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("rooms.join", RouteDescriptor.Kind.SEND),
            org.assertj.core.groups.Tuple.tuple("rooms.leave", RouteDescriptor.Kind.SEND),
            org.assertj.core.groups.Tuple.tuple("rooms.message", RouteDescriptor.Kind.SEND),
            org.assertj.core.groups.Tuple.tuple("rooms.members", RouteDescriptor.Kind.ASYNC_CALL));
    assertThat(Contracts.events(RoomEvents.class).routes())
        .extracting(RouteDescriptor::route)
        .containsExactlyInAnyOrder("rooms.onJoin", "rooms.onLeave", "rooms.onMessage");
  }

  @Test
  void messageEventIsTheV1EnvelopeWithAnIsoTimestamp() throws Exception {
    Instant at = Instant.parse("2026-11-25T18:43:13.464Z");
    byte[] frame =
        codec
            .writer()
            .encodeEvent("rooms.onMessage", new ChatMessage("general", "Alice", "hi", at), true);
    assertThat(new String(frame, UTF_8))
        .isEqualTo(
            "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Alice\","
                + "\"content\":\"hi\",\"timestamp\":\"2026-11-25T18:43:13.464Z\"}}");

    ChatMessage back =
        codec
            .mapper()
            .readValue(
                "{\"roomId\":\"general\",\"userName\":\"Alice\",\"content\":\"hi\","
                    + "\"timestamp\":\"2026-11-25T18:43:13.464Z\"}",
                ChatMessage.class);
    assertThat(back.timestamp()).isEqualTo(at);
  }

  @Test
  void timestampAlwaysHasMillisecondsLikeJavaScript() {
    byte[] frame =
        codec
            .writer()
            .encodeEvent(
                "rooms.onMessage",
                new ChatMessage("r", "u", "c", Instant.parse("2026-11-25T18:43:13Z")),
                true);
    assertThat(new String(frame, UTF_8)).contains("\"timestamp\":\"2026-11-25T18:43:13.000Z\"");
  }

  @Test
  void joinAndLeaveEventsAreTheV1Envelopes() {
    assertThat(
            new String(
                codec.writer().encodeEvent("rooms.onJoin", new Joined("general", "Bob"), true),
                UTF_8))
        .isEqualTo(
            "{\"type\":\"rooms.onJoin\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Bob\"}}");
    assertThat(
            new String(
                codec.writer().encodeEvent("rooms.onLeave", new Left("general", "Bob"), true),
                UTF_8))
        .isEqualTo(
            "{\"type\":\"rooms.onLeave\",\"payload\":{\"roomId\":\"general\",\"userName\":\"Bob\"}}");
  }

  @Test
  void userNameDefaultsToAnonymousWhenMissingOnly() {
    HeaderBinder<ChatHeaders> binder =
        new HeaderBinder<>(ChatHeaders.class, headerMapper, validator);
    assertThat(binder.bind(Map.of()).userName()).isEqualTo("Anonymous");
    assertThat(binder.bind(Map.of("user-name", "Alice")).userName()).isEqualTo("Alice");
    // The seed's z.string().default("Anonymous"): any string given is the name.
    assertThat(binder.bind(Map.of("user-name", " ")).userName()).isEqualTo(" ");
    assertThat(binder.bind(Map.of("user-name", "")).userName()).isEmpty();
    assertThat(binder.bind(Map.of("user-name", "x".repeat(500))).userName()).hasSize(500);
  }

  @Test
  void roomIdsAndContentAreAnyStringButNotNull() {
    for (String any :
        List.of("", " ", "\t\n", "\u0000\u001f", "r".repeat(65), "c".repeat(60_000))) {
      validator.validate("rooms.join", new RoomId(any));
      validator.validate("rooms.message", new PostMessage(any, any));
    }
    assertThatThrownBy(() -> validator.validate("rooms.join", new RoomId(null)))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e -> assertThat(e.details()).extracting(Violation::path).containsExactly("roomId"));
    assertThatThrownBy(() -> validator.validate("rooms.message", new PostMessage("general", null)))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e -> assertThat(e.details()).extracting(Violation::path).containsExactly("content"));
  }
}
