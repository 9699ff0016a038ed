package dev.zocket.netty;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} and {@code Origin} a handshake may name ({@link
 * ZocketServer.Builder#allowedHosts}, {@link ZocketServer.Builder#allowedOrigins}), for the
 * handshake stage. Immutable.
 *
 * @param allowedOrigins the normalized origins accepted, {@code *} for any; empty for same-origin
 * @param allowedHosts the lower-case host names a request's {@code Host} may name; empty for any
 */
record HostAndOrigin(Set<String> allowedOrigins, Set<String> allowedHosts) {
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
