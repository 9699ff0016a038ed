package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Accepts or rejects a WebSocket handshake before the headers are bound and before the upgrade.
 *
 * <pre>{@code
 * builder.authenticate(request -> {
 *   if (!tokens.isValid(request.headers().get("authorization"))) {
 *     throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Missing or bad token");
 *   }
 * });
 * }</pre>
 *
 * <p>A {@link ZocketException} with code {@link ErrorCodes#UNAUTHORIZED} is answered with HTTP 401,
 * any other {@code ZocketException} with 403; the body is {@code {"error":"<message>"}} and no
 * upgrade happens. Any other exception is logged and answered with 500.
 *
 * <h2>Principals and recovered sessions</h2>
 *
 * Under connection-state recovery, a client that reconnects presents its session's secret token and
 * is authenticated again like any other. An authenticator that names who a request is from, its
 * <em>principal</em> (made with {@link #identifying}, or overriding {@link #principal}), decides
 * who may resume a session: only a handshake with the same principal (compared with {@code equals})
 * as the one that began the session resumes it; any other starts a fresh session and leaves the
 * session to its owner. One that names no one (the default, and {@link #token}) leaves the token as
 * a bearer secret: whoever holds it, and passes authentication, resumes the session with its user
 * context.
 *
 * <pre>{@code
 * builder.authenticate(Authenticator.identifying(request -> {
 *   String token = Authenticator.token(request, "access_token", "authorization");
 *   if (token == null) {
 *     throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Missing token");
 *   }
 *   return jwt.verify(token).subject(); // throws a ZocketException when it is not valid
 * }));
 * }</pre>
 *
 * <p>Threading: called on the connection's I/O thread, so it must not block.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Checks one handshake request.
   *
   * @param request the upgrade request: its URI (with the query string) and HTTP headers
   * @throws ZocketException to reject the handshake
   */
  void authenticate(HttpRequest request);

  /**
   * Checks one handshake request and names who it is from. The server calls this method, not {@link
   * #authenticate}, once per handshake; the default calls {@link #authenticate} and names no one.
   *
   * @param request the upgrade request: its URI (with the query string) and HTTP headers
   * @return the principal, for example a user id; null for none
   * @throws ZocketException to reject the handshake
   */
  default String principal(HttpRequest request) {
    authenticate(request);
    return null;
  }

  /**
   * An authenticator that names who each handshake is from, so that a recovered session is resumed
   * only by a client of the same principal (see above).
   *
   * @param principal checks a request and returns its principal (null for none), or throws a {@link
   *     ZocketException} to reject it; called on the I/O thread, so it must not block
   * @return the authenticator
   */
  static Authenticator identifying(Function<? super HttpRequest, String> principal) {
    Objects.requireNonNull(principal, "principal == null");
    return new Authenticator() {
      @Override
      public void authenticate(HttpRequest request) {
        principal(request);
      }

      @Override
      public String principal(HttpRequest request) {
        return principal.apply(request);
      }
    };
  }

  /**
   * An authenticator for a bearer token sent as the query parameter {@code queryParameter} (what
   * browsers can do: their WebSocket API cannot set headers) or as the HTTP header {@code header}
   * (other clients), the query parameter winning; see {@link #token(HttpRequest, String, String)}.
   * A handshake without a token is answered 401 ({@code "Missing token"}), one whose token {@code
   * verifier} refuses 401 ({@code "Invalid token"}); the verifier may also throw a {@link
   * ZocketException}, for example with code {@link ErrorCodes#FORBIDDEN} for 403.
   *
   * <pre>{@code
   * builder.authenticate(Authenticator.token("access_token", "authorization", sessions::isValid));
   * }</pre>
   *
   * @param queryParameter the query parameter's name, for example {@code "access_token"}
   * @param header the HTTP header's name, for example {@code "authorization"}
   * @param verifier whether a token is valid; called on the I/O thread, so it must not block
   * @return the authenticator
   */
  static Authenticator token(String queryParameter, String header, Predicate<String> verifier) {
    Objects.requireNonNull(queryParameter, "queryParameter == null");
    Objects.requireNonNull(header, "header == null");
    Objects.requireNonNull(verifier, "verifier == null");
    return request -> {
      String token = token(request, queryParameter, header);
      if (token == null) {
        throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Missing token");
      }
      if (!verifier.test(token)) {
        throw new ZocketException(ErrorCodes.UNAUTHORIZED, "Invalid token");
      }
    };
  }

  /**
   * The token of a handshake: the first value of the query parameter {@code queryParameter}, or
   * else the value of the HTTP header {@code header} without a leading {@code "Bearer "} (any
   * case); null if neither is there or the value is empty.
   *
   * @param request the upgrade request
   * @param queryParameter the query parameter's name
   * @param header the HTTP header's name (matched case-insensitively)
   * @return the token, or null
   */
  static String token(HttpRequest request, String queryParameter, String header) {
    List<String> values = new QueryStringDecoder(request.uri()).parameters().get(queryParameter);
    String token = values != null ? values.get(0) : request.headers().get(header);
    if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = token.substring(7);
    }
    return token == null || token.isBlank() ? null : token.strip();
  }
}
