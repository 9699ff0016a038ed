package dev.zocket.client;

import dev.zocket.internal.Protocol;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The client's side of connection-state recovery: the session token and the last position the
 * server gave, sent back with every reconnect so that a server with recovery restores the session
 * and sends what was missed. Every connection asks for recovery ({@code x-zocket-recovery=1}); a
 * server without it says nothing, or that it keeps no session. Written on the connections' event
 * loop, read on any thread.
 */
final class Resumption {
  /** Whether the client asks for recovery at all ({@code ZocketClient.Builder.recovery}). */
  private final boolean enabled;

  /** The session's secret token, or null before a server gave one. */
  private volatile String token;

  /** The position of the last event received, or the session's start. */
  private volatile String position;

  Resumption(boolean enabled) {
    this.enabled = enabled;
  }

  /** The query parameters of the next connection attempt. */
  Map<String, String> parameters() {
    Map<String, String> p = new LinkedHashMap<>();
    if (!enabled) {
      return p;
    }
    p.put(Protocol.RECOVERY_HEADER, "1");
    String t = token;
    String pos = position;
    if (t != null && pos != null) {
      p.put(Protocol.SESSION_HEADER, t);
      p.put(Protocol.POSITION_HEADER, pos);
    }
    return p;
  }

  /** Whether the next connection resumes a session: it waits for the server's answer to open. */
  boolean resuming() {
    return enabled && token != null && position != null;
  }

  /**
   * The server's {@code __session} message: the session to resume next time and where it stands.
   *
   * @return whether the connection resumed its session
   */
  boolean session(JsonNode payload) {
    JsonNode t = payload.path(Protocol.SESSION);
    JsonNode pos = payload.path(Protocol.POSITION);
    if (t.isString() && pos.isString()) {
      token = t.stringValue();
      position = pos.stringValue();
    } else {
      token = null; // the server keeps no session
      position = null;
    }
    return token != null && payload.path(Protocol.RECOVERED).asBoolean(false);
  }

  /** An event's position: the client has everything up to it. */
  void received(String pos) {
    if (pos != null && token != null) {
      position = pos;
    }
  }
}
