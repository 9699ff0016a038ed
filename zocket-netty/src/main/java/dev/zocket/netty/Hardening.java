package dev.zocket.netty;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The protective settings of one server: limits, policies, TLS and compression. Immutable.
 *
 * @param sslContext the server's TLS context, or null for plain {@code ws://}
 * @param compression whether permessage-deflate is offered
 * @param allowedOrigins the normalized origins accepted, {@code *} for any; empty for same-origin
 * @param allowedHosts the lower-case host names a request's {@code Host} may name; empty for any
 * @param maxConnections the most sockets (upgraded or not) at once
 * @param maxConnectionsPerAddress the most sockets of one remote address, or 0 for no limit
 * @param handshakeTimeout how long a socket may take to send a whole HTTP request
 * @param maxRoomsPerConnection the most rooms one connection may be in
 * @param maxRoomIdLength the longest room id, in characters
 * @param messagesPerSecond the sustained rate of incoming messages per connection; 0 for no limit
 * @param messageBurst the messages a connection may send at once above the rate
 * @param rateLimitPolicy what happens beyond the rate
 * @param maxCallsInFlight the most calls of one connection received and not yet answered
 * @param slowConsumerPolicy what happens to a connection that falls behind
 * @param writeBufferLow the outbound bytes below which a full connection becomes writable again
 * @param writeBufferHigh the outbound bytes above which a connection is full
 * @param maxBacklogBytes the most bytes waiting in a connection's backlog, beyond Netty's buffer
 * @param maxBacklogTime the longest a connection may stay behind
 * @param maxBacklogMemory the most bytes all backlogs may hold together
 * @param maxInboundMemory the bytes of messages queued for handlers, server-wide, above which a
 *     connection that adds to them is not read from until its own queue has drained
 * @param gracePeriod how long a shutdown waits for calls in flight
 */
record Hardening(
    SslContext sslContext,
    boolean compression,
    Set<String> allowedOrigins,
    Set<String> allowedHosts,
    int maxConnections,
    int maxConnectionsPerAddress,
    Duration handshakeTimeout,
    int maxRoomsPerConnection,
    int maxRoomIdLength,
    int messagesPerSecond,
    int messageBurst,
    RateLimitPolicy rateLimitPolicy,
    int maxCallsInFlight,
    SlowConsumerPolicy slowConsumerPolicy,
    int writeBufferLow,
    int writeBufferHigh,
    int maxBacklogBytes,
    Duration maxBacklogTime,
    long maxBacklogMemory,
    long maxInboundMemory,
    Duration gracePeriod) {

  /** Messages queued for the handlers of one connection above which it is not read from. */
  static final int MAX_QUEUED_MESSAGES = 1024;

  /**
   * Bytes of messages queued for the handlers of one connection above which it is not read from.
   */
  static final long MAX_QUEUED_BYTES = 1 << 20;

  /**
   * Whether a handshake's {@code Origin} is acceptable: no {@code Origin} (not a browser), an
   * allowed one, or, without an allow-list, the server's own origin: the scheme the request came in
   * with ({@code https} over TLS, else {@code http}) and the host and port of its {@code Host}.
   */
  boolean originAllowed(HttpRequest request, boolean secure) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin == null || allowedOrigins.contains("*")) {
      return true;
    }
    String normalized = normalizeOrigin(origin);
    if (normalized == null) {
      return false;
    }
    if (!allowedOrigins.isEmpty()) {
      return allowedOrigins.contains(normalized);
    }
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null) {
      return false;
    }
    String own = normalizeOrigin((secure ? "https://" : "http://") + host.trim());
    return normalized.equals(own);
  }

  /**
   * Whether a request's {@code Host} names this server, against DNS rebinding: any host without an
   * allow-list, else one of the allowed names (the port is not compared).
   */
  boolean hostAllowed(HttpRequest request) {
    if (allowedHosts.isEmpty()) {
      return true;
    }
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null) {
      return false;
    }
    String normalized = normalizeOrigin("http://" + host.trim());
    if (normalized == null) {
      return false;
    }
    String name = normalized.substring("http://".length());
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf(']')) {
      name = name.substring(0, colon);
    }
    return allowedHosts.contains(name);
  }

  /**
   * An origin as {@code scheme://host[:port]}, lower-cased and without the scheme's default port;
   * null if it is not an http(s) origin.
   */
  static String normalizeOrigin(String origin) {
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (java.net.URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null || host == null) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return null;
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("http") && port == 80)
            || (scheme.equals("https") && port == 443);
    return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
  }
}
