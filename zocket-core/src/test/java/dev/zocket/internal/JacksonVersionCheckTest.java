package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class JacksonVersionCheckTest {

  @Test
  void thisBuildsAnnotationsPass() {
    assertThatCode(JacksonVersionCheck::check).doesNotThrowAnyException();
  }

  @Test
  void theMessageNamesTheDependencyTheVersionFoundTheVersionNeededAndTheProperty() {
    assertThat(JacksonVersionCheck.problem("2.19.2"))
        .contains("com.fasterxml.jackson.core:jackson-annotations 2.20 or later")
        .contains("but 2.19.2 is on the class path")
        .contains("<jackson-bom.version>2.23.0</jackson-bom.version>")
        .contains("ext['jackson-bom.version'] = '2.23.0'")
        .contains("com.fasterxml.jackson.core:jackson-annotations:2.23 in <dependencyManagement>");
    assertThat(JacksonVersionCheck.problem(null)).contains("but an older one is on the class path");
  }
}
