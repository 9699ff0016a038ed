package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The configuration metadata an IDE reads: every property is there and described. */
class MetadataTest {

  @Test
  void everyPropertyHasADescription() throws Exception {
    String json;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("the generated metadata").isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode properties = new ObjectMapper().readTree(json).get("properties");
    List<String> names = new ArrayList<>();
    for (JsonNode property : properties) {
      names.add(property.get("name").asText());
      assertThat(property.path("description").asText())
          .as("description of " + property.get("name"))
          .isNotBlank();
    }
    assertThat(names)
        .contains(
            "zocket.server.port",
            "zocket.server.max-frame-size",
            "zocket.server.recovery.window",
            "zocket.server.shutdown.grace-period",
            "zocket.server.ssl.bundle",
            "zocket.server.rate-limit.messages-per-second",
            "zocket.redis.enabled");
    Matcher port =
        Pattern.compile("\"name\": \"zocket.server.port\"[^}]*\"defaultValue\": 3000")
            .matcher(json);
    assertThat(port.find()).as("zocket.server.port defaults to the builder's 3000").isTrue();
  }
}
