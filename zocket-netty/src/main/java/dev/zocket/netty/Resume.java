package dev.zocket.netty;

import dev.zocket.internal.Protocol;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * What a client asked of connection-state recovery in its handshake (query parameters, or headers
 * of the same names): whether it can recover at all ({@code x-zocket-recovery}), and the session
 * and position it resumes from ({@code x-zocket-session}, {@code x-zocket-pos}).
 *
 * @param asked whether the client announced recovery or sent a session
 * @param token the session to resume, or null
 * @param position the last position the client received, or null
 * @param principal who the handshake authenticated as ({@link Authenticator#principal}), or null:
 *     only a session of the same principal is resumed
 */
record Resume(boolean asked, String token, String position, String principal) {
  /** A client that knows nothing of recovery. */
  static final Resume NONE = new Resume(false, null, null, null);

  /** Longer tokens and positions are not ours, and are not looked up. */
  private static final int MAX_LENGTH = 128;

  /** The request of an upgrade, authenticated as {@code principal} (null for no one). */
  static Resume of(HttpRequest request, QueryStringDecoder query, String principal) {
    String token = value(request, query, Protocol.SESSION_HEADER);
    String position = value(request, query, Protocol.POSITION_HEADER);
    boolean asked = token != null || value(request, query, Protocol.RECOVERY_HEADER) != null;
    if (!asked) {
      return NONE;
    }
    if (token != null && (token.isEmpty() || token.length() > MAX_LENGTH)) {
      token = null;
    }
    if (position != null && position.length() > MAX_LENGTH) {
      position = null;
    }
    return new Resume(true, token, position, principal);
  }

  /** The same request without a session to resume: after the session could not be. */
  Resume fresh() {
    return new Resume(asked, null, null, principal);
  }

  private static String value(HttpRequest request, QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values != null ? values.get(0) : request.headers().get(name);
  }
}
