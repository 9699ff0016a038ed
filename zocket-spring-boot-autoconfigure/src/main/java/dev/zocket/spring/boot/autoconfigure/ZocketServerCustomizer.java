package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.netty.ZocketServer;

/**
 * Customizes the {@link ZocketServer.Builder} the auto-configuration starts the server from, for
 * what the {@code zocket.server.*} properties do not cover: headers and {@code onConnect} (the user
 * context), interceptors, observers, a rate-limit policy, an HTTP handler, an executor...
 *
 * <pre>{@code
 * @Bean
 * ZocketServerCustomizer chatServer(UserDirectory users) {
 *   return builder -> builder
 *       .headers(ChatHeaders.class)
 *       .onConnect((headers, clientId) -> users.find(headers.userName()))
 *       .intercept(new AuditInterceptor());
 * }
 * }</pre>
 *
 * <p>Order: the builder first gets the properties, Boot's {@code Validator}, the {@link
 * dev.zocket.netty.Authenticator} bean and the Actuator observers; then every customizer, in {@link
 * org.springframework.core.annotation.Order @Order}; then the auto-configuration registers the
 * {@link ZocketHandler @ZocketHandler} beans ({@code handle}) and sets {@code onDisconnect}. So a
 * customizer may call {@code headers} and {@code onConnect} (which must come before {@code
 * handle}); it must not call {@code onDisconnect}, which the auto-configuration sets last to end
 * the connection's handler beans: put what runs at a disconnect in a {@code @PreDestroy} method of
 * a {@code @ZocketHandler} bean, which runs at that very moment. A customizer may also register
 * handlers of its own with {@code handle}.
 *
 * <p>Threading: called on the thread that starts the application context (and again on each restart
 * of the server's lifecycle), before the server starts.
 */
@FunctionalInterface
public interface ZocketServerCustomizer {
  /**
   * Customizes the builder.
   *
   * @param builder the builder the server will be started from
   */
  void customize(ZocketServer.Builder<?, ?> builder);
}
