package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.InvalidPayloadException;
import dev.zocket.JsonBinding;
import dev.zocket.JsonLimits;
import dev.zocket.Violation;
import dev.zocket.testsupport.BindingTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The binding table through the bind-and-validate step the server's dispatcher and the client
 * share, with the payload both after and before {@code type} (bound while parsing, and from the
 * buffer).
 */
class StrictBindingTest {
  private static final JsonCodec CODEC = JsonCodec.defaults();
  private static final MessageReader READER =
      new MessageReader(CODEC, new PayloadValidator(CODEC.mapper()), true);
  private static final Map<String, RouteDescriptor> ROUTES = new HashMap<>();

  static {
    for (RouteDescriptor r : Contracts.events(BindingTable.Events.class).routes()) {
      ROUTES.put(r.route(), r);
    }
  }

  static Stream<Arguments> rows() {
    List<Arguments> all = new ArrayList<>();
    for (BindingTable.Row row : BindingTable.rows()) {
      all.add(Arguments.of(row, true));
      all.add(Arguments.of(row, false));
    }
    return all.stream();
  }

  @Test
  void theTableCoversEveryJsonTypeWithEnoughRows() {
    assertThat(BindingTable.rows()).hasSizeGreaterThanOrEqualTo(40);
    assertThat(BindingTable.rows()).anyMatch(BindingTable.Row::accepted);
  }

  @ParameterizedTest(name = "{0} (type first: {1})")
  @MethodSource("rows")
  void row(BindingTable.Row row, boolean typeFirst) {
    RouteDescriptor route = ROUTES.get(row.route());
    String text =
        typeFirst
            ? "{\"type\":\"" + row.route() + "\",\"payload\":" + row.json() + "}"
            : "{\"payload\":" + row.json() + ",\"type\":\"" + row.route() + "\"}";
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    MessageReader.Routed routed = () -> route;
    MessageReader.Message<?> message = READER.read(data, 0, data.length, t -> routed);
    assertThat(message).as("decoded").isNotNull();
    if (row.accepted()) {
      assertThat(message.error()).isNull();
      assertThat(message.payload()).isEqualTo(row.value());
    } else {
      assertThat(message.error()).as("refused").isInstanceOf(InvalidPayloadException.class);
      assertThat(message.error()).hasMessage("Invalid payload for " + row.route());
      assertThat(message.error().details())
          .containsExactly(new Violation(row.path(), row.message()));
    }
  }

  record Numbers(int[] ints, long[] longs, double[] doubles, boolean[] flags) {}

  @Test
  void arraysOfPrimitivesFollowTheElementRules() {
    Numbers n =
        bind(
            "{\"ints\":[1,2.0],\"longs\":[3],\"doubles\":[0.5,1],\"flags\":[true]}", Numbers.class);
    assertThat(n.ints()).containsExactly(1, 2);
    assertThat(n.longs()).containsExactly(3L);
    assertThat(n.doubles()).containsExactly(0.5, 1.0);
    assertThat(n.flags()).containsExactly(true);
    assertRefused("{\"ints\":[1,\"2\"]}", Numbers.class, "ints[1]", "expected integer, got string");
    assertRefused("{\"ints\":[1,null]}", Numbers.class, "ints[1]", "expected integer, got null");
    assertRefused("{\"ints\":7}", Numbers.class, "ints", "expected array, got number");
    assertRefused("{\"flags\":[0]}", Numbers.class, "flags[0]", "expected boolean, got number");
  }

  record Bytes(byte[] data, char[] chars) {}

  @Test
  void byteArraysAreBase64AndCharArraysAreStrings() {
    Bytes b = bind("{\"data\":\"AQI=\",\"chars\":\"hi\"}", Bytes.class);
    assertThat(b.data()).containsExactly(1, 2);
    assertThat(b.chars()).containsExactly('h', 'i');
    assertRefused("{\"data\":[1,2]}", Bytes.class, "data", "expected string, got array");
  }

  record Huge(java.math.BigInteger n) {}

  @Test
  void aWholeNumberWithAHugeExponentIsRefusedWithoutBuildingIt() {
    assertRefused("{\"n\":1e999999999}", Huge.class, "n", "expected integer, got 1e999999999");
    assertThat(bind("{\"n\":1e30}", Huge.class).n()).isEqualTo(java.math.BigInteger.TEN.pow(30));
  }

  @Test
  void theLenientModuleGivesJacksonsConversionsBack() {
    JsonCodec lenient =
        new JsonCodec(
            JsonMappers.configure(
                JsonMapper.builder().addModule(JsonBinding.lenient()).build(),
                JsonLimits.DEFAULTS));
    Envelope f = decode(lenient, "{\"v\":5}", BindingTable.Text.class);
    assertThat(f.bindError()).isNull();
    assertThat(f.payload()).isEqualTo(new BindingTable.Text("5"));
  }

  @Test
  void headersAreBoundWithConversionsFromTheirStrings() {
    record Limits(int limit, boolean verbose) {}
    HeaderBinder<Limits> binder =
        new HeaderBinder<>(
            Limits.class,
            JsonMappers.configureForHeaders(JsonMapper.builder().build(), JsonLimits.DEFAULTS),
            new PayloadValidator(CODEC.mapper()));
    assertThat(binder.bind(Map.of("limit", "5", "verbose", "true"))).isEqualTo(new Limits(5, true));
  }

  private static Envelope decode(JsonCodec codec, String json, Class<?> type) {
    byte[] data = ("{\"type\":\"t\",\"payload\":" + json + "}").getBytes(StandardCharsets.UTF_8);
    return codec
        .reader()
        .decode(
            data, 0, data.length, t -> () -> codec.mapper().constructType(type), new ArrayList<>());
  }

  private static <T> T bind(String json, Class<T> type) {
    Envelope f = decode(CODEC, json, type);
    assertThat(f.bindError()).as("bound: %s", json).isNull();
    return type.cast(f.payload());
  }

  private static void assertRefused(String json, Class<?> type, String path, String message) {
    Envelope f = decode(CODEC, json, type);
    assertThat(f.bindError()).as("refused: %s", json).isNotNull();
    assertThat(f.bindError().details()).containsExactly(new Violation(path, message));
  }
}
