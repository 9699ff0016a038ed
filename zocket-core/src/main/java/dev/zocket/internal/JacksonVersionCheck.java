package dev.zocket.internal;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Fails at once, with what to do, when the {@code jackson-annotations} on the class path is older
 * than Jackson 3 needs (2.20): instead of a {@code NoClassDefFoundError} for {@code
 * com/fasterxml/jackson/annotation/JsonSerializeAs} from deep inside the first mapper built. Spring
 * Boot 3.x manages {@code jackson-annotations} 2.19 through its Jackson 2 BOM, and wins over the
 * version Jackson 3 asks for.
 *
 * <p>Threading: any thread.
 */
public final class JacksonVersionCheck {
  /** The Jackson 2 BOM recommended in the message: it manages the annotations below. */
  static final String RECOMMENDED = "2.23.0";

  /** The {@code jackson-annotations} Zocket is built with (its versions have no patch number). */
  static final String ANNOTATIONS = "2.23";

  /** A type that {@code jackson-annotations} 2.20, the first Jackson 3 can use, added. */
  private static final String SINCE_2_20 = "com.fasterxml.jackson.annotation.JsonSerializeAs";

  private JacksonVersionCheck() {}

  /** Throws {@link IllegalStateException} if {@code jackson-annotations} is older than 2.20. */
  public static void check() {
    try {
      Class.forName(SINCE_2_20, false, JsonProperty.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          problem(JsonProperty.class.getPackage().getImplementationVersion()));
    }
  }

  /**
   * The message for a {@code jackson-annotations} older than 2.20.
   *
   * @param found its version, or null if its jar does not say
   */
  static String problem(String found) {
    return "Zocket uses Jackson 3, which needs com.fasterxml.jackson.core:jackson-annotations 2.20"
        + " or later, but "
        + (found == null ? "an older one" : found)
        + " is on the class path (Spring Boot 3.x, for one, manages 2.19 through its Jackson 2"
        + " BOM). Set the Jackson 2 BOM's version to "
        + RECOMMENDED
        + ": with Spring Boot's parent POM, <jackson-bom.version>"
        + RECOMMENDED
        + "</jackson-bom.version> in <properties>; with Gradle and Spring's dependency-management"
        + " plugin, ext['jackson-bom.version'] = '"
        + RECOMMENDED
        + "'; otherwise declare com.fasterxml.jackson.core:jackson-annotations:"
        + ANNOTATIONS
        + " in <dependencyManagement>";
  }
}
