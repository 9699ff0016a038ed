package dev.zocket.examples.chat;

import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import dev.zocket.netty.HttpHandler;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves the chat page ({@code GET /}, {@code /app.js}, {@code /style.css}) on the chat server's
 * port. The files are read once from the classpath ({@code /web/}) and kept in memory; {@code
 * app.js} is the bundle the build makes from {@code src/main/web} (TypeScript, esbuild). Every
 * answer carries the page's security headers: a content security policy that allows only the page's
 * own scripts, styles and connections and no framing ({@code frame-ancestors 'none'}, with {@code
 * X-Frame-Options} for older browsers), {@code nosniff}, and no referrer.
 *
 * <p>Public for {@code examples/chat-spring}, which serves the same page the same way.
 *
 * <p>Threading: immutable; called on the server's I/O threads and never blocks.
 */
public final class WebAssets implements HttpHandler {
  /** The content security policy: the page's own files and connections only, never framed. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  private static final Map<String, String> FILES =
      Map.of(
          "/", "index.html",
          "/index.html", "index.html",
          "/app.js", "app.js",
          "/style.css", "style.css");

  private record Asset(byte[] body, String contentType) {}

  private final Map<String, Asset> byPath;

  /**
   * Reads the page's files.
   *
   * @throws IllegalStateException if a file is missing from the classpath
   */
  public WebAssets() {
    Map<String, Asset> assets = new HashMap<>();
    for (Map.Entry<String, String> e : FILES.entrySet()) {
      assets.put(e.getKey(), new Asset(read(e.getValue()), contentType(e.getValue())));
    }
    this.byPath = Map.copyOf(assets);
  }

  @Override
  public FullHttpResponse handle(FullHttpRequest request) {
    Asset asset = byPath.get(new QueryStringDecoder(request.uri()).path());
    if (asset == null) {
      // Our own 404: returning null would answer 426 (Upgrade Required), since every path of
      // this server also accepts WebSocket upgrades.
      return secured(new DefaultFullHttpResponse(HTTP_1_1, NOT_FOUND));
    }
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse refused = new DefaultFullHttpResponse(HTTP_1_1, METHOD_NOT_ALLOWED);
      refused.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return secured(refused);
    }
    FullHttpResponse response =
        method.equals(HttpMethod.HEAD)
            ? new DefaultFullHttpResponse(HTTP_1_1, OK)
            : new DefaultFullHttpResponse(HTTP_1_1, OK, Unpooled.wrappedBuffer(asset.body()));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, asset.body().length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    return secured(response);
  }

  private static FullHttpResponse secured(FullHttpResponse response) {
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
        .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer");
    return response;
  }

  private static byte[] read(String name) {
    try (InputStream in = WebAssets.class.getResourceAsStream("/web/" + name)) {
      if (in == null) {
        throw new IllegalStateException("Missing resource /web/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "text/css; charset=utf-8";
  }
}
