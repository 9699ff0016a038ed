package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.Namespace;
import dev.zocket.netty.ZocketServer;
import dev.zocket.testsupport.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The generator reads the mapper the server is given: a naming strategy renames the schema's keys
 * as it renames the wire's, and a type the application maps in code of its own is refused.
 */
class MapperConfigurationTest {
  public record Person(String firstName, String lastName, int birthYear) {}

  /** People, greeted back in capitals and a year older. */
  @Namespace("people")
  public interface People {
    Person greet(Person person);
  }

  public record Money(long cents) {}

  public record Price(Money amount) {}

  /** Prices. */
  @Namespace("prices")
  public interface Prices {
    void set(Price price);
  }

  private static final JsonMapper SNAKE =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  @Test
  void aNamingStrategyRenamesTheSchemaAsItRenamesTheWire() throws Exception {
    String module =
        TypeScriptGenerator.builder().routes(People.class).objectMapper(SNAKE).build().generate();
    List<String> keys = keys(module, "Person");
    assertThat(keys).containsExactly("first_name", "last_name", "birth_year");
    assertThat(
            keys(TypeScriptGenerator.builder().routes(People.class).build().generate(), "Person"))
        .containsExactly("firstName", "lastName", "birthYear");

    try (ZocketServer server =
            ZocketServer.builder()
                .objectMapper(SNAKE)
                .handle(
                    People.class,
                    ctx ->
                        p ->
                            new Person(
                                p.firstName().toUpperCase(java.util.Locale.ROOT),
                                p.lastName(),
                                p.birthYear() + 1))
                .host("127.0.0.1")
                .port(0)
                .start();
        RawClient c = RawClient.connect(server.port(), "/")) {
      // A payload written with the generated schema's keys is the one the server binds.
      String payload =
          "{\""
              + keys.get(0)
              + "\":\"Ada\",\""
              + keys.get(1)
              + "\":\"Lovelace\",\""
              + keys.get(2)
              + "\":1815}";
      c.sendText("{\"type\":\"people.greet\",\"payload\":" + payload + ",\"rpcId\":\"1\"}");
      assertThat(c.readSkippingPings().text())
          .isEqualTo(
              "{\"type\":\"__rpc_res\",\"payload\":{\"first_name\":\"ADA\",\"last_name\":\"Lovelace\","
                  + "\"birth_year\":1816},\"rpcId\":\"1\"}");
    }
  }

  @Test
  void aTypeMappedByTheApplicationsOwnSerializerIsRefused() {
    SimpleModule cents =
        new SimpleModule()
            .addSerializer(
                Money.class,
                new StdSerializer<>(Money.class) {
                  @Override
                  public void serialize(Money value, JsonGenerator gen, SerializationContext ctxt) {
                    gen.writeString(value.cents() / 100 + "." + value.cents() % 100);
                  }
                });
    JsonMapper mapper = JsonMapper.builder().addModule(cents).build();
    assertThatThrownBy(
            () ->
                TypeScriptGenerator.builder()
                    .routes(Prices.class)
                    .objectMapper(mapper)
                    .build()
                    .generate())
        .isInstanceOf(GenerationException.class)
        .hasMessageStartingWith("Price.amount: " + Money.class.getName() + " is mapped by ")
        .hasMessageContaining(
            "a serializer or deserializer of the application's own (registered on the mapper),"
                + " whose JSON the generator cannot know");
    // Without the module, the same contract has a schema.
    assertThat(TypeScriptGenerator.builder().routes(Prices.class).build().generate())
        .contains("export const Money = z.object({");
  }

  @Test
  void onlyAJsonMapperIsTaken() {
    assertThatThrownBy(
            () ->
                TypeScriptGenerator.builder()
                    .objectMapper(new tools.jackson.databind.ObjectMapper()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("give it a tools.jackson.databind.json.JsonMapper");
  }

  /** The keys of a named object schema in a generated module, in order. */
  private static List<String> keys(String module, String schema) {
    int start = module.indexOf("export const " + schema + " = z.object({\n");
    assertThat(start).as(module).isNotNegative();
    int end = module.indexOf("\n})", start);
    Matcher m =
        Pattern.compile("^  \"?([A-Za-z_$][\\w$]*)\"?: ", Pattern.MULTILINE)
            .matcher(module.substring(start, end));
    List<String> keys = new ArrayList<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }
}
