package dev.zocket.netty;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Answers the plain HTTP requests (those that are not WebSocket upgrades) of a {@link
 * ZocketServer}, for example to serve the web page of a browser client.
 *
 * <pre>{@code
 * ZocketServer.builder()
 *     .httpHandler(request -> request.uri().equals("/")
 *         ? new DefaultFullHttpResponse(HTTP_1_1, OK, Unpooled.wrappedBuffer(indexHtml))
 *         : null)
 * }</pre>
 *
 * <p>The server sets {@code Content-Length} when the response has none and handles keep-alive.
 * Requests bodies are limited to a few kilobytes (the server aggregates requests for handshakes).
 *
 * <p>Threading: called on the connection's I/O thread, so it must not block; reading a small
 * resource from the class path is fine. The server releases the request after the call; a request
 * kept for later must be {@linkplain FullHttpRequest#retain() retained}. An exception is logged and
 * answered with 500.
 */
@FunctionalInterface
public interface HttpHandler {
  /**
   * Answers one request.
   *
   * @param request the request, aggregated; released by the server after this call
   * @return the response, whose ownership passes to the server; or null for 404 (426 Upgrade
   *     Required when the path is the WebSocket path)
   */
  FullHttpResponse handle(FullHttpRequest request);
}
