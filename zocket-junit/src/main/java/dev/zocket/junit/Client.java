package dev.zocket.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link ZocketExtension} for a new client of its server as this parameter: a {@code
 * ZocketClient}, or a contract interface, which gets {@code client.proxy(contract)} of a new
 * client. The client is connected before the method runs and closed after the test (after all tests
 * for a parameter of a {@code @BeforeAll} method).
 *
 * <pre>{@code
 * @Test
 * void greets(@Client(headers = "user-name: Ada") Greeter greeter) { ... }
 * }</pre>
 *
 * A {@code ZocketClient} parameter gets a client without this annotation too; a contract parameter
 * needs it, so that the extension never takes a parameter meant for another resolver.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Client {
  /**
   * Handshake headers of the client, each written {@code "name: value"} (the value after the first
   * colon, trimmed), set after those of {@link ZocketExtension#clients}.
   *
   * @return the headers, none by default
   */
  String[] headers() default {};
}
