package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.netty.Authenticator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/** docs/spring-boot.md's Authenticator bean, compiled and tested here (AuthenticatorTest). */
@Configuration(proxyBeanMethods = false)
class JwtAuthenticatorConfig {
  // region authenticator
  @Bean
  Authenticator jwtAuthenticator(JwtDecoder jwtDecoder) {
    return Authenticator.identifying(
        request -> {
          // ?access_token=... (browsers) or "Authorization: Bearer ..." (other clients)
          String token = Authenticator.token(request, "access_token", "authorization");
          if (token == null) {
            throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Missing token");
          }
          try {
            return jwtDecoder.decode(token).getSubject(); // the principal of recovered sessions
          } catch (JwtException e) {
            throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Invalid token");
          }
        });
  }
  // endregion authenticator
}
