package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.TypeFactory;

final class JsonCodecTest {
  record Join(String roomId) {}

  record Message(String roomId, String from, String text, Instant at) {}

  record Profile(String id, String name) {}

  record Times(Instant instant, OffsetDateTime offset, LocalDate day) {}

  record Counter(int count) {}

  record Item(String name) {}

  record Order(List<Item> items) {}

  record Person(String firstName, String lastName) {}

  private static final TypeFactory TYPES = TypeFactory.createDefaultInstance();
  private static final Instant AT = Instant.parse("2026-11-25T18:43:13.464Z");

  private final JsonCodec codec = JsonCodec.defaults();

  // ------------------------------------------------------------------ encoding, byte-exact

  @Test
  void event() {
    byte[] frame =
        codec
            .writer()
            .encodeEvent("rooms.onMessage", new Message("general", "Alice", "Hello", AT), true);
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"rooms.onMessage\",\"payload\":{\"roomId\":\"general\",\"from\":\"Alice\","
                + "\"text\":\"Hello\",\"at\":\"2026-11-25T18:43:13.464Z\"}}");

    Envelope f = decode(frame, types("rooms.onMessage", Message.class));
    assertThat(f.type()).isEqualTo("rooms.onMessage");
    assertThat(f.rpcId()).isNull();
    assertThat(f.hasPayload()).isTrue();
    assertThat(f.payload()).isEqualTo(new Message("general", "Alice", "Hello", AT));
    assertThat(f.buffered()).isNull();
    assertThat(f.bindError()).isNull();
    assertThat(f.error()).isNull();
  }

  @Test
  void eventWithoutPayload() {
    byte[] frame = codec.writer().encodeEvent("server.onShutdown", null, false);
    assertThat(text(frame)).isEqualTo("{\"type\":\"server.onShutdown\"}");
    Envelope f = decode(frame, t -> null);
    assertThat(f.type()).isEqualTo("server.onShutdown");
    assertThat(f.hasPayload()).isFalse();
  }

  @Test
  void eventWithNullPayload() {
    assertThat(text(codec.writer().encodeEvent("a.b", null, true)))
        .isEqualTo("{\"type\":\"a.b\",\"payload\":null}");
  }

  @Test
  void reply() {
    byte[] frame = replyBytes(codec, "k3j4", new Profile("123", "Alice"), true);
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"__rpc_res\",\"payload\":{\"id\":\"123\",\"name\":\"Alice\"},"
                + "\"rpcId\":\"k3j4\"}");
    // A client learns the reply's type from rpcId, which comes after the payload: buffered.
    Envelope f = decode(frame, t -> null);
    assertThat(f.type()).isEqualTo("__rpc_res");
    assertThat(f.rpcId()).isEqualTo("k3j4");
    assertThat(f.payload()).isNull();
    assertThat(f.buffered()).isNotNull();
    assertThat(codec.reader().bindBuffered(f.buffered(), TYPES.constructType(Profile.class)))
        .isEqualTo(new Profile("123", "Alice"));
  }

  @Test
  void replyWithScalarsAndCollections() {
    assertThat(text(replyBytes(codec, "1", 42, true)))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":42,\"rpcId\":\"1\"}");
    assertThat(text(replyBytes(codec, "2", List.of("a", "b"), true)))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":[\"a\",\"b\"],\"rpcId\":\"2\"}");
    assertThat(text(replyBytes(codec, "3", null, true)))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":null,\"rpcId\":\"3\"}");
    assertThat(text(replyBytes(codec, "4", "x\"y\u00e9", true)))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"x\\\"y\u00e9\",\"rpcId\":\"4\"}");
  }

  @Test
  void nullReplyIsBufferedAndBindsToNull() {
    Envelope f = decode("{\"type\":\"__rpc_res\",\"payload\":null,\"rpcId\":\"1\"}", t -> null);
    assertThat(f.hasPayload()).isTrue();
    assertThat(f.buffered()).isNotNull();
    assertThat(codec.reader().bindBuffered(f.buffered(), TYPES.constructType(int.class))).isNull();
    assertThat(codec.reader().bindBuffered(null, TYPES.constructType(String.class))).isNull();
    Envelope known = decode("{\"type\":\"n\",\"payload\":null}", types("n", int.class));
    assertThat(known.hasPayload()).isTrue();
    assertThat(known.payload()).isNull();
    assertThat(known.bindError()).isNull();
  }

  @Test
  void voidReply() {
    byte[] frame = replyBytes(codec, "k3j4", null, false);
    assertThat(text(frame)).isEqualTo("{\"type\":\"__rpc_res\",\"rpcId\":\"k3j4\"}");
    Envelope f = decode(frame, t -> null);
    assertThat(f.type()).isEqualTo("__rpc_res");
    assertThat(f.rpcId()).isEqualTo("k3j4");
    assertThat(f.hasPayload()).isFalse();
    assertThat(f.buffered()).isNull();
    assertThat(f.error()).isNull();
  }

  @Test
  void errorReply() {
    byte[] frame =
        errorBytes(
            codec,
            "k3j4",
            new InvalidPayloadException(
                "Invalid payload for rooms.join",
                List.of(new Violation("roomId", "must not be blank"))));
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"k3j4\",\"error\":{\"code\":\"INVALID_PAYLOAD\","
                + "\"message\":\"Invalid payload for rooms.join\","
                + "\"details\":[{\"path\":\"roomId\",\"message\":\"must not be blank\"}]}}");
    Envelope f = decode(frame, t -> null);
    assertThat(f.type()).isEqualTo("__rpc_res");
    assertThat(f.rpcId()).isEqualTo("k3j4");
    assertThat(f.hasPayload()).isFalse();
    assertThat(f.error())
        .isEqualTo(
            new ErrorBody(
                "INVALID_PAYLOAD",
                "Invalid payload for rooms.join",
                List.of(new Violation("roomId", "must not be blank"))));
    ZocketException e = f.error().toException();
    assertThat(e.code()).isEqualTo(ErrorCodes.INVALID_PAYLOAD);
    assertThat(e.getMessage()).isEqualTo("Invalid payload for rooms.join");
    assertThat(e.details()).containsExactly(new Violation("roomId", "must not be blank"));
  }

  @Test
  void errorReplyWithoutDetails() {
    byte[] frame = errorBytes(codec, "9", new ZocketException("NOT_A_MEMBER", "Join first"));
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"9\",\"error\":{\"code\":\"NOT_A_MEMBER\","
                + "\"message\":\"Join first\"}}");
    ZocketException e = decode(frame, t -> null).error().toException();
    assertThat(e.code()).isEqualTo("NOT_A_MEMBER");
    assertThat(e.details()).isEmpty();
  }

  @Test
  void oddErrorBodiesStillFailTheCall() {
    Envelope f =
        decode(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":{\"details\":[{\"path\":\"a\"},"
                + "null,{\"message\":\"m\"},7],\"extra\":true}}",
            t -> null);
    ZocketException e = f.error().toException();
    assertThat(e.code()).isEqualTo(ErrorCodes.INTERNAL);
    assertThat(e.getMessage()).isEmpty();
    assertThat(e.details()).containsExactly(new Violation("a", ""), new Violation("", "m"));

    Envelope notAnObject =
        decode("{\"type\":\"__rpc_res\",\"rpcId\":\"1\",\"error\":\"boom\"}", t -> null);
    assertThat(notAnObject.error()).isNull();
    assertThat(notAnObject.rpcId()).isEqualTo("1");
  }

  @Test
  void clientRequestWithRpcId() {
    byte[] frame =
        codec.writer().encodeRequest("users.getProfile", Map.of("id", "123"), true, "k3j4");
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"users.getProfile\",\"payload\":{\"id\":\"123\"},\"rpcId\":\"k3j4\"}");
    Envelope f = decode(frame, types("users.getProfile", Join.class));
    assertThat(f.rpcId()).isEqualTo("k3j4");
    assertThat(f.payload()).isEqualTo(new Join(null));
  }

  @Test
  void clientRequestWithoutRpcId() {
    byte[] frame = codec.writer().encodeRequest("rooms.join", new Join("general"), true, null);
    assertThat(text(frame))
        .isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    Envelope f = decode(frame, types("rooms.join", Join.class));
    assertThat(f.type()).isEqualTo("rooms.join");
    assertThat(f.rpcId()).isNull();
    assertThat(f.payload()).isEqualTo(new Join("general"));
  }

  @Test
  void clientRequestWithoutPayload() {
    assertThat(text(codec.writer().encodeRequest("rooms.list", null, false, "7")))
        .isEqualTo("{\"type\":\"rooms.list\",\"rpcId\":\"7\"}");
  }

  @Test
  void handshakeError() {
    assertThat(
            text(
                codec
                    .writer()
                    .encodeHandshakeError(
                        "Invalid headers",
                        List.of(new Violation("user-name", "must not be blank")))))
        .isEqualTo(
            "{\"error\":\"Invalid headers\",\"details\":[{\"path\":\"user-name\","
                + "\"message\":\"must not be blank\"}]}");
    assertThat(text(codec.writer().encodeHandshakeError("Forbidden", List.of())))
        .isEqualTo("{\"error\":\"Forbidden\"}");
  }

  @Test
  void writeEnvelopeToAStream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.writer().writeEnvelope(out, "rooms.join", new Join("a"), true, "r");
    assertThat(out.toString(UTF_8))
        .isEqualTo("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"a\"},\"rpcId\":\"r\"}");
  }

  // ------------------------------------------------------------------ decoding

  @Test
  void javaTimeAsIsoStrings() {
    Times times =
        new Times(
            AT,
            OffsetDateTime.of(2026, 11, 25, 19, 43, 13, 464_000_000, ZoneOffset.ofHours(1)),
            LocalDate.of(2026, 11, 25));
    byte[] frame = codec.writer().encodeEvent("t", times, true);
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"t\",\"payload\":{\"instant\":\"2026-11-25T18:43:13.464Z\","
                + "\"offset\":\"2026-11-25T19:43:13.464+01:00\",\"day\":\"2026-11-25\"}}");
    assertThat(decode(frame, types("t", Times.class)).payload()).isEqualTo(times);
  }

  @Test
  void unknownPayloadFieldsAndEnvelopeKeysAreIgnored() {
    Envelope f =
        decode(
            "{\"v\":2,\"type\":\"rooms.join\",\"meta\":{\"a\":[1,{\"b\":null}]},"
                + "\"payload\":{\"roomId\":\"a\",\"color\":\"red\",\"nested\":{\"x\":[1]}},"
                + "\"rpcId\":\"1\"}",
            types("rooms.join", Join.class));
    assertThat(f.payload()).isEqualTo(new Join("a"));
    assertThat(f.rpcId()).isEqualTo("1");
    assertThat(f.bindError()).isNull();
  }

  @Test
  void payloadBeforeTypeIsBuffered() {
    Envelope f =
        decode(
            "{\"payload\":{\"roomId\":\"a\"},\"rpcId\":\"1\",\"type\":\"rooms.join\"}",
            types("rooms.join", Join.class));
    assertThat(f.type()).isEqualTo("rooms.join");
    assertThat(f.rpcId()).isEqualTo("1");
    assertThat(f.hasPayload()).isTrue();
    assertThat(f.payload()).isNull();
    assertThat(codec.reader().bindBuffered(f.buffered(), TYPES.constructType(Join.class)))
        .isEqualTo(new Join("a"));
  }

  @Test
  void typeBeforePayloadIsBoundDirectly() {
    Envelope f =
        decode(
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"a\"}}",
            types("rooms.join", Join.class));
    assertThat(f.payload()).isEqualTo(new Join("a"));
    assertThat(f.buffered()).isNull();
  }

  @Test
  void bufferedPayloadOfTheWrongShape() {
    Envelope f = decode("{\"payload\":[1,2],\"type\":\"c\"}", t -> null);
    assertThatThrownBy(
            () -> codec.reader().bindBuffered(f.buffered(), TYPES.constructType(Join.class)))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e ->
                assertThat(e.details())
                    .containsExactly(new Violation("", "expected object, got array")));
  }

  @Test
  void bufferedNumberOutOfRange() {
    Envelope f = decode("{\"payload\":99999999999,\"type\":\"c\"}", t -> null);
    assertThatThrownBy(
            () -> codec.reader().bindBuffered(f.buffered(), TYPES.constructType(int.class)))
        .isInstanceOfSatisfying(
            InvalidPayloadException.class,
            e ->
                assertThat(e.details())
                    .containsExactly(
                        new Violation(
                            "",
                            "expected integer from -2147483648 to 2147483647, got 99999999999")));
  }

  @Test
  void bindErrorBeforeRpcIdKeepsTheRpcId() {
    Envelope f =
        decode(
            "{\"type\":\"c\",\"payload\":{\"count\":\"abc\",\"more\":[1,{\"a\":[2]}]},"
                + "\"rpcId\":\"r1\"}",
            types("c", Counter.class));
    assertThat(f.rpcId()).isEqualTo("r1");
    assertThat(f.payload()).isNull();
    assertThat(f.bindError().details())
        .containsExactly(new Violation("count", "expected integer, got string"));
  }

  @Test
  void bindErrorDeepInsideThePayloadKeepsTheRpcId() {
    Envelope f =
        decode(
            "{\"type\":\"o\",\"payload\":{\"items\":[{\"name\":\"a\"},{\"name\":{\"x\":[1,2]},"
                + "\"tail\":[{}]},{\"name\":\"c\"}],\"z\":1},\"rpcId\":\"r2\",\"after\":true}",
            types("o", Order.class));
    assertThat(f.rpcId()).isEqualTo("r2");
    assertThat(f.bindError().details())
        .containsExactly(new Violation("items[1].name", "expected string, got object"));
  }

  record Inventory(Map<String, Counter> byId) {}

  @Test
  void bindErrorInsideAMapUsesTheValidatorsPathStyle() {
    Envelope f =
        decode(
            "{\"type\":\"i\",\"payload\":{\"byId\":{\"a1\":{\"count\":1},\"b2\":{\"count\":\"x\"}}},"
                + "\"rpcId\":\"r\"}",
            types("i", Inventory.class));
    assertThat(f.bindError().details())
        .containsExactly(new Violation("byId[b2].count", "expected integer, got string"));
    JavaType map = TYPES.constructMapType(Map.class, String.class, Counter.class);
    Envelope top =
        decode(
            "{\"type\":\"m\",\"payload\":{\"k\":{\"count\":[]}},\"rpcId\":\"r\"}", r -> () -> map);
    assertThat(top.bindError().details())
        .containsExactly(new Violation("[k].count", "expected integer, got array"));
  }

  @Test
  void bindErrorOfAScalarPayload() {
    Envelope f =
        decode("{\"type\":\"o\",\"payload\":\"str\",\"rpcId\":\"r3\"}", types("o", Order.class));
    assertThat(f.rpcId()).isEqualTo("r3");
    assertThat(f.bindError().details())
        .containsExactly(new Violation("", "expected object, got string"));
  }

  @Test
  void numberOutOfRangeIsABindError() {
    Envelope f =
        decode(
            "{\"type\":\"c\",\"payload\":{\"count\":99999999999},\"rpcId\":\"r4\"}",
            types("c", Counter.class));
    assertThat(f.rpcId()).isEqualTo("r4");
    assertThat(f.bindError().details())
        .containsExactly(
            new Violation(
                "count", "expected integer from -2147483648 to 2147483647, got 99999999999"));

    Envelope top =
        decode("{\"type\":\"n\",\"payload\":99999999999,\"rpcId\":\"r5\"}", types("n", int.class));
    assertThat(top.rpcId()).isEqualTo("r5");
    assertThat(top.bindError().details())
        .containsExactly(
            new Violation("", "expected integer from -2147483648 to 2147483647, got 99999999999"));
  }

  @Test
  void bindErrorMessagesNeverNameJavaClasses() {
    String[] payloads = {
      "{\"count\":[1]}", "{\"count\":true}", "{\"count\":{}}", "[]", "\"x\"", "true", "1.5"
    };
    for (String payload : payloads) {
      Envelope f =
          decode(
              "{\"type\":\"c\",\"payload\":" + payload + ",\"rpcId\":\"1\"}",
              types("c", Counter.class));
      assertThat(f).as(payload).isNotNull();
      if (f.bindError() != null) {
        assertThat(f.bindError().details().get(0).message())
            .as(payload)
            .doesNotContain("dev.zocket", "java.", "`", "Counter");
      }
    }
  }

  @Test
  void decodeSlice() {
    byte[] data = "xx{\"type\":\"a\"}yy".getBytes(UTF_8);
    List<String> why = new ArrayList<>();
    assertThat(codec.reader().decode(data, 2, data.length - 4, t -> null, why).type())
        .isEqualTo("a");
    assertThat(why).isEmpty();
  }

  // ------------------------------------------------------------------ limits

  @Test
  void defaultLimits() {
    assertThat(JsonLimits.DEFAULTS).isEqualTo(new JsonLimits(64, 1_000_000, 100, 1_000));
    String deep = "[".repeat(63) + "]".repeat(63);
    assertThat(decode("{\"type\":\"a\",\"payload\":" + deep + "}", t -> null)).isNotNull();
    String tooDeep = "[".repeat(64) + "]".repeat(64);
    assertDropped("{\"type\":\"a\",\"payload\":" + tooDeep + "}", t -> null);
    assertDropped("{\"type\":\"a\",\"payload\":1" + "0".repeat(100) + "}", t -> null);
  }

  @Test
  void configuredLimitsAreEnforced() {
    JsonCodec small =
        new JsonCodec(JsonMappers.configure(new JsonMapper(), new JsonLimits(3, 10, 5, 8)));
    // depth: the envelope is one level
    assertThat(decode(small, "{\"type\":\"a\",\"payload\":[[1]]}", t -> null)).isNotNull();
    assertDropped(small, "{\"type\":\"a\",\"payload\":[[[1]]]}", t -> null);
    // strings, also while binding straight to a type
    assertThat(decode(small, "{\"type\":\"a\",\"payload\":\"0123456789\"}", t -> null)).isNotNull();
    assertDropped(small, "{\"type\":\"a\",\"payload\":\"0123456789A\"}", t -> null);
    assertDropped(
        small, "{\"type\":\"j\",\"payload\":{\"roomId\":\"0123456789A\"}}", types("j", Join.class));
    assertDropped(
        small,
        "{\"type\":\"j\",\"payload\":{\"roomId\":\"0123456789A\"},\"rpcId\":\"1\"}",
        types("j", Join.class));
    // numbers
    assertThat(decode(small, "{\"type\":\"a\",\"payload\":12345}", t -> null)).isNotNull();
    assertDropped(small, "{\"type\":\"a\",\"payload\":123456}", t -> null);
    assertDropped(
        small, "{\"type\":\"c\",\"payload\":{\"count\":123456}}", types("c", Counter.class));
    // names
    assertThat(decode(small, "{\"type\":\"a\",\"payload\":{\"abcdefgh\":1}}", t -> null))
        .isNotNull();
    assertDropped(small, "{\"type\":\"a\",\"payload\":{\"abcdefghi\":1}}", t -> null);
  }

  @Test
  void limitsMustBePositive() {
    assertThatThrownBy(() -> new JsonLimits(0, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNestingDepth must be positive: 0");
    assertThatThrownBy(() -> new JsonLimits(1, -1, 1, 1))
        .hasMessage("maxStringLength must be positive: -1");
    assertThatThrownBy(() -> new JsonLimits(1, 1, 0, 1))
        .hasMessage("maxNumberLength must be positive: 0");
    assertThatThrownBy(() -> new JsonLimits(1, 1, 1, 0))
        .hasMessage("maxNameLength must be positive: 0");
  }

  // ------------------------------------------------------------------ the user's mapper

  @Test
  void userMapperNamingStrategyIsHonoured() {
    ObjectMapper base =
        JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    JsonCodec snake = new JsonCodec(JsonMappers.configure(base, JsonLimits.DEFAULTS));
    byte[] frame = snake.writer().encodeEvent("p", new Person("Ada", "Lovelace"), true);
    assertThat(text(frame))
        .isEqualTo(
            "{\"type\":\"p\",\"payload\":{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}}");
    assertThat(decode(snake, text(frame), types("p", Person.class)).payload())
        .isEqualTo(new Person("Ada", "Lovelace"));
  }

  @Test
  void userMapperSerializerIsHonoured() {
    JsonCodec custom = codecWritingItems((value, gen) -> gen.writeString("item:" + value.name()));
    assertThat(text(replyBytes(custom, "1", new Item("x"), true)))
        .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"item:x\",\"rpcId\":\"1\"}");
  }

  @Test
  void envelopesWrittenOneAfterAnotherOnOneThreadStandAlone() {
    // The generator is kept per thread across envelopes: each stream gets exactly its envelope.
    for (int i = 0; i < 3; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      codec.writer().writeEnvelope(out, "a.b", List.of(i), true, i == 1 ? "r" : null);
      assertThat(out.toString(UTF_8))
          .isEqualTo(
              "{\"type\":\"a.b\",\"payload\":["
                  + i
                  + "]"
                  + (i == 1 ? ",\"rpcId\":\"r\"" : "")
                  + "}");
    }
  }

  @Test
  void aPayloadThatFailsHalfWayLeavesLaterEnvelopesIntact() {
    JsonCodec custom =
        codecWritingItems(
            (value, gen) -> {
              gen.writeStartObject();
              gen.writeStringProperty("name", value.name());
              throw new IllegalStateException("cannot write " + value.name());
            });
    ByteArrayOutputStream broken = new ByteArrayOutputStream();
    Throwable thrown =
        catchThrowable(() -> custom.writer().writeEnvelope(broken, "t", new Item("x"), true, "1"));
    // The innermost cause: Jackson 3 lets a serializer's own exception through unwrapped.
    Throwable root = thrown;
    while (root != null && root.getCause() != null) {
      root = root.getCause();
    }
    assertThat(root).hasMessage("cannot write x");
    ByteArrayOutputStream next = new ByteArrayOutputStream();
    custom.writer().writeEnvelope(next, "t", "fine", true, "2");
    assertThat(next.toString(UTF_8))
        .isEqualTo("{\"type\":\"t\",\"payload\":\"fine\",\"rpcId\":\"2\"}");
  }

  @Test
  void aSerializerMayWriteAnEnvelopeOfItsOwn() {
    JsonCodec[] self = new JsonCodec[1];
    self[0] =
        codecWritingItems(
            (value, gen) -> {
              ByteArrayOutputStream inner = new ByteArrayOutputStream();
              self[0].writer().writeEnvelope(inner, "inner", value.name(), true, null);
              gen.writeString(inner.toString(UTF_8));
            });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    self[0].writer().writeEnvelope(out, "outer", new Item("x"), true, null);
    assertThat(out.toString(UTF_8))
        .isEqualTo(
            "{\"type\":\"outer\",\"payload\":\"{\\\"type\\\":\\\"inner\\\",\\\"payload\\\":\\\"x\\\"}\"}");
  }

  @Test
  void configureCopiesTheMapper() {
    ObjectMapper base = new JsonMapper();
    ObjectMapper configured = JsonMappers.configure(base, JsonLimits.DEFAULTS);
    assertThat(configured).isNotSameAs(base);
    // Jackson 3 sorts properties by default; Zocket writes them in declaration order.
    assertThat(base.isEnabled(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)).isTrue();
    assertThat(configured.isEnabled(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)).isFalse();
    assertThat(base.tokenStreamFactory().streamReadConstraints().getMaxNestingDepth())
        .isNotEqualTo(64);
    assertThat(configured.tokenStreamFactory().streamReadConstraints().getMaxNestingDepth())
        .isEqualTo(64);
    JsonCodec c = new JsonCodec(configured);
    assertThat(c.mapper()).isSameAs(configured);
  }

  // ------------------------------------------------------------------ helpers

  /** A reply as the server writes it ({@link EnvelopeWriter#writeEnvelope}), as bytes. */
  private static byte[] replyBytes(JsonCodec codec, String rpcId, Object payload, boolean has) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.writer().writeEnvelope(out, Protocol.REPLY_TYPE, payload, has, rpcId);
    return out.toByteArray();
  }

  /** An error reply as the server writes it ({@link EnvelopeWriter#writeError}), as bytes. */
  private static byte[] errorBytes(JsonCodec codec, String rpcId, ZocketException error) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    codec.writer().writeError(out, rpcId, error);
    return out.toByteArray();
  }

  /** How a test's custom serializer writes an {@link Item}. */
  @FunctionalInterface
  private interface ItemWriter {
    void write(Item value, JsonGenerator gen);
  }

  /** A codec over a user mapper whose module serializes {@link Item} with {@code writer}. */
  private static JsonCodec codecWritingItems(ItemWriter writer) {
    SimpleModule module = new SimpleModule();
    module.addSerializer(
        Item.class,
        new StdSerializer<>(Item.class) {
          @Override
          public void serialize(Item value, JsonGenerator gen, SerializationContext provider) {
            writer.write(value, gen);
          }
        });
    ObjectMapper base = JsonMapper.builder().addModule(module).build();
    return new JsonCodec(JsonMappers.configure(base, JsonLimits.DEFAULTS));
  }

  private static EnvelopeReader.PayloadTypes types(String route, Class<?> type) {
    JavaType t = TYPES.constructType(type);
    return r -> r.equals(route) ? () -> t : null;
  }

  private Envelope decode(byte[] frame, EnvelopeReader.PayloadTypes types) {
    return decode(codec, new String(frame, UTF_8), types);
  }

  private Envelope decode(String frame, EnvelopeReader.PayloadTypes types) {
    return decode(codec, frame, types);
  }

  private static Envelope decode(JsonCodec codec, String frame, EnvelopeReader.PayloadTypes types) {
    byte[] data = frame.getBytes(UTF_8);
    List<String> why = new ArrayList<>();
    Envelope f = codec.reader().decode(data, 0, data.length, types, why);
    assertThat(f).as("decoded %s, dropped because %s", frame, why).isNotNull();
    assertThat(why).isEmpty();
    return f;
  }

  private void assertDropped(String frame, EnvelopeReader.PayloadTypes types) {
    assertDropped(codec, frame, types);
  }

  private static void assertDropped(
      JsonCodec codec, String frame, EnvelopeReader.PayloadTypes types) {
    byte[] data = frame.getBytes(UTF_8);
    List<String> why = new ArrayList<>();
    assertThat(codec.reader().decode(data, 0, data.length, types, why)).as(frame).isNull();
    assertThat(why).as(frame).hasSize(1);
  }

  private static String text(byte[] frame) {
    return new String(frame, UTF_8);
  }
}
