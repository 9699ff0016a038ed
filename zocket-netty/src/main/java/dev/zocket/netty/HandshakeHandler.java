package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every aggregated HTTP request. Upgrades on the WebSocket path have their {@code Origin}
 * checked (403), are authenticated (401/403), have their headers bound and validated (400) and are
 * counted against the connection limit (503), then passed on to Netty's WebSocket handshake;
 * failures are answered here and never upgrade. Other requests go to the user's {@link
 * HttpHandler}, or get 404 or 426.
 */
@Sharable
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);

  /** The protocol major version this server speaks; the client sends it as x-zocket-version. */
  private static final String PROTOCOL_VERSION = "1";

  private final ServerConfig config;

  HandshakeHandler(ServerConfig config) {
    this.config = config;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    boolean upgrade = false;
    try {
      upgrade = check(ctx, request);
    } finally {
      if (!upgrade) {
        request.release();
      }
    }
    if (upgrade) {
      ctx.fireChannelRead(request);
    }
  }

  /** Answers the request and returns false, or returns true to let the upgrade proceed. */
  private boolean check(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      respond(ctx, request, json(HttpResponseStatus.BAD_REQUEST, "Bad request", List.of()), true);
      return false;
    }
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    boolean onPath = config.path == null || config.path.equals(query.path());
    if (!isUpgrade(request)) {
      serveHttp(ctx, request, onPath);
      return false;
    }
    if (!onPath) {
      reject(ctx, request, HttpResponseStatus.NOT_FOUND, "Not found", List.of());
      return false;
    }
    if (!config.hardening.originAllowed(request)) {
      reject(ctx, request, HttpResponseStatus.FORBIDDEN, "Origin not allowed", List.of());
      return false;
    }
    if (config.authenticator != null) {
      try {
        config.authenticator.authenticate(request);
      } catch (ZocketException e) {
        HttpResponseStatus status =
            ErrorCodes.UNAUTHORIZED.equals(e.code())
                ? HttpResponseStatus.UNAUTHORIZED
                : HttpResponseStatus.FORBIDDEN;
        reject(ctx, request, status, e.getMessage(), e.details());
        return false;
      } catch (RuntimeException e) {
        log.error("The authenticator failed", e);
        reject(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal error", List.of());
        return false;
      }
    }
    Object headers;
    try {
      headers = config.headers.read(request, query);
    } catch (InvalidPayloadException e) {
      reject(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage(), e.details());
      return false;
    }
    String version = request.headers().get("x-zocket-version");
    List<String> versionParam = query.parameters().get("x-zocket-version");
    if (versionParam != null) {
      version = versionParam.get(0);
    }
    if (version != null
        && !version.equals(PROTOCOL_VERSION)
        && !version.startsWith(PROTOCOL_VERSION + ".")) {
      log.debug(
          "Client at {} speaks x-zocket-version {}, this server {}; accepting",
          ctx.channel().remoteAddress(),
          version,
          PROTOCOL_VERSION);
    }
    FrameHandler frames = ctx.pipeline().get(FrameHandler.class);
    if (!frames.admit()) {
      reject(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "Server is full", List.of());
      return false;
    }
    frames.accepted(headers);
    return true;
  }

  private static boolean isUpgrade(FullHttpRequest request) {
    return HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
        request.headers().get(HttpHeaderNames.UPGRADE));
  }

  private void serveHttp(ChannelHandlerContext ctx, FullHttpRequest request, boolean onPath) {
    FullHttpResponse response = null;
    if (config.httpHandler != null) {
      try {
        response = config.httpHandler.handle(request);
      } catch (RuntimeException e) {
        log.error("The HTTP handler failed for {} {}", request.method(), request.uri(), e);
        response = json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal error", List.of());
      }
    }
    if (response == null) {
      response =
          onPath
              ? json(HttpResponseStatus.UPGRADE_REQUIRED, "WebSocket upgrade required", List.of())
              : json(HttpResponseStatus.NOT_FOUND, "Not found", List.of());
      if (onPath) {
        response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
      }
    }
    respond(ctx, request, response, false);
  }

  private void reject(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      HttpResponseStatus status,
      String error,
      List<Violation> details) {
    log.debug(
        "Rejected the handshake of {} for {}: {} {} {}",
        ctx.channel().remoteAddress(),
        request.uri(),
        status.code(),
        error,
        details);
    respond(ctx, request, json(status, error, details), true);
  }

  private FullHttpResponse json(HttpResponseStatus status, String error, List<Violation> details) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(config.codec.encodeHandshakeError(error, details)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }

  private static void respond(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      FullHttpResponse response,
      boolean close) {
    if (!response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
        && !HttpUtil.isTransferEncodingChunked(response)) {
      HttpUtil.setContentLength(response, response.content().readableBytes());
    }
    boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture f = ctx.writeAndFlush(response);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
