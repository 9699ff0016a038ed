/**
 * Spring Boot auto-configuration of a Zocket server.
 *
 * <p>The application's API: {@link dev.zocket.spring.boot.autoconfigure.ZocketHandler} (handler
 * beans, one per connection, with the connection's {@code Context} injectable), {@link
 * dev.zocket.spring.boot.autoconfigure.ZocketServerCustomizer} (anything the properties do not
 * cover), {@link dev.zocket.spring.boot.autoconfigure.ZocketServerProperties} ({@code
 * zocket.server.*}), {@link dev.zocket.spring.boot.autoconfigure.ZocketRedisProperties} ({@code
 * zocket.redis.*}) and {@link dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle} (the
 * running server). An {@code Authenticator} bean of {@code zocket-netty} checks every handshake.
 */
package dev.zocket.spring.boot.autoconfigure;
