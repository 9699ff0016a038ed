package dev.zocket.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * On a {@code @SpringBootTest}: adds a {@link ZocketTestClient} bean connected to the application's
 * running Zocket server, as {@code @AutoConfigureMockMvc} adds a {@code MockMvc}.
 *
 * <pre>{@code
 * @SpringBootTest(properties = "zocket.server.port=0")
 * @AutoConfigureZocketClient
 * class GreeterTest {
 *   @Autowired ZocketTestClient zocket;
 *
 *   @Test
 *   void greets() {
 *     assertThat(zocket.proxy(Greeter.class).greet(new Name("Ada")).text()).isEqualTo("Hello, Ada");
 *   }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ImportAutoConfiguration(ZocketTestClientAutoConfiguration.class)
public @interface AutoConfigureZocketClient {}
