package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.LogSafe;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.Observers;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.spi.ZocketObserver.HandshakeRejection;
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
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every aggregated HTTP request and performs the WebSocket upgrade. An upgrade must speak
 * RFC 6455 ({@code Sec-WebSocket-Version: 13}; anything else is answered 426 with that header,
 * before a handshaker is involved), be on the WebSocket path (404), have an allowed {@code Origin}
 * (403), pass the authenticator (401/403), carry headers that bind and validate (400), and find
 * room under the connection limit (503); then Netty's RFC 6455 handshaker answers 101 and the
 * {@link FrameHandler} opens the connection. Failures are answered here and never upgrade. Other
 * requests go to the user's {@link HttpHandler}, or get 404 or 426.
 *
 * <p>Collaborators, given by the server: the path, the host and origin checks ({@link
 * HostAndOrigin}), the {@link Authenticator}, the {@link HandshakeHeaders}, the {@link
 * HttpHandler}, the codec's writer (the JSON bodies of rejections), the observers and the frame
 * decoder's settings; per socket, the {@link FrameHandler} in the same pipeline (admission, the
 * upgrade).
 *
 * <p>Threading: one instance serves every socket of a server, on each socket's I/O thread.
 */
@Sharable
final class HandshakeHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HandshakeHandler.class);

  /** The application's code failed on a request: clients can send such requests in a loop. */
  private static final RateLimitedLog authenticatorFailures = new RateLimitedLog(log);

  private static final RateLimitedLog httpHandlerFailures = new RateLimitedLog(log);

  /** The only WebSocket version upgraded: RFC 6455. */
  private static final String WEBSOCKET_VERSION = "13";

  /** The WebSocket path, or null for any path. */
  private final String path;

  /** The host and origin checks. */
  private final HostAndOrigin hostAndOrigin;

  /** The user's authenticator, or null for none. */
  private final Authenticator authenticator;

  private final HandshakeHeaders headers;

  /** The user's handler of plain HTTP requests, or null for none. */
  private final HttpHandler httpHandler;

  /** Writes the JSON bodies of rejections. */
  private final EnvelopeWriter errors;

  private final Observers observers;
  private final WebSocketDecoderConfig decoderConfig;

  /**
   * The handshake stage of one server, shared by its sockets.
   *
   * @param path the WebSocket path, or null for any path
   * @param hostAndOrigin the host and origin checks
   * @param authenticator the user's authenticator, or null for none
   * @param headers binds and validates the handshake's headers
   * @param httpHandler the user's handler of plain HTTP requests, or null for none
   * @param errors writes the JSON bodies of rejections
   * @param observers told of every rejection
   * @param decoderConfig the frame decoder's settings, for the upgrade
   */
  HandshakeHandler(
      String path,
      HostAndOrigin hostAndOrigin,
      Authenticator authenticator,
      HandshakeHeaders headers,
      HttpHandler httpHandler,
      EnvelopeWriter errors,
      Observers observers,
      WebSocketDecoderConfig decoderConfig) {
    this.path = path;
    this.hostAndOrigin = hostAndOrigin;
    this.authenticator = authenticator;
    this.headers = headers;
    this.httpHandler = httpHandler;
    this.errors = errors;
    this.observers = observers;
    this.decoderConfig = decoderConfig;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      Accepted accepted = check(ctx, request);
      if (accepted != null) {
        upgrade(ctx, request, accepted);
      }
    } finally {
      request.release();
    }
  }

  /** Answers 101 with Netty's RFC 6455 handshaker and opens the connection. */
  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Accepted accepted) {
    FrameHandler frames = ctx.pipeline().get(FrameHandler.class);
    WebSocketServerHandshaker handshaker = new Rfc6455Handshaker(decoderConfig);
    try {
      handshaker.handshake(ctx.channel(), request);
    } catch (WebSocketHandshakeException e) { // thrown before the pipeline changes
      reject(
          ctx,
          request,
          HandshakeRejection.BAD_REQUEST,
          HttpResponseStatus.BAD_REQUEST,
          "Bad WebSocket handshake",
          List.of());
      return;
    }
    // The pipeline now holds the WebSocket codec (and any extension's); the 101 is on its way and
    // no frame is read before this returns.
    ctx.pipeline().remove(this);
    frames.upgraded(accepted.headers(), accepted.resume());
  }

  /** An upgrade to make: the bound headers, and what the client asks of recovery. */
  private record Accepted(Object headers, Resume resume) {}

  /** Answers the request and returns null, or returns the upgrade to make. */
  private Accepted check(ChannelHandlerContext ctx, FullHttpRequest request) {
    FrameHandler frames = ctx.pipeline().get(FrameHandler.class);
    if (!request.decoderResult().isSuccess()) {
      reject(
          ctx,
          request,
          HandshakeRejection.BAD_REQUEST,
          HttpResponseStatus.BAD_REQUEST,
          "Bad request",
          List.of());
      return null;
    }
    switch (frames.admission()) {
      case FULL -> {
        reject(
            ctx,
            request,
            HandshakeRejection.SERVER_FULL,
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "Server is full",
            List.of());
        return null;
      }
      case ADDRESS_FULL -> {
        reject(
            ctx,
            request,
            HandshakeRejection.TOO_MANY_CONNECTIONS,
            HttpResponseStatus.TOO_MANY_REQUESTS,
            "Too many connections",
            List.of());
        return null;
      }
      default -> {}
    }
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    boolean onPath;
    try {
      // Decoded now: a malformed escape is the client's error, answered 400, never a handler's.
      String requested = query.path();
      query.parameters();
      onPath = path == null || path.equals(requested);
    } catch (IllegalArgumentException e) {
      reject(
          ctx,
          request,
          HandshakeRejection.BAD_REQUEST,
          HttpResponseStatus.BAD_REQUEST,
          "Malformed URL",
          List.of());
      return null;
    }
    if (!hostAndOrigin.hostAllowed(request)) {
      reject(
          ctx,
          request,
          HandshakeRejection.HOST_NOT_ALLOWED,
          HttpResponseStatus.FORBIDDEN,
          "Host not allowed",
          List.of());
      return null;
    }
    if (!isUpgrade(request)) {
      serveHttp(ctx, request, onPath);
      frames.requestAnswered();
      return null;
    }
    if (!WEBSOCKET_VERSION.equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      FullHttpResponse response =
          json(HttpResponseStatus.UPGRADE_REQUIRED, "Unsupported WebSocket version", List.of());
      response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
      log.debug(
          "Refused the handshake of {}: WebSocket version {}",
          ctx.channel().remoteAddress(),
          LogSafe.text(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)));
      rejected(HandshakeRejection.UNSUPPORTED_VERSION, HttpResponseStatus.UPGRADE_REQUIRED);
      respond(ctx, request, response, true);
      return null;
    }
    if (!onPath) {
      reject(
          ctx,
          request,
          HandshakeRejection.NOT_FOUND,
          HttpResponseStatus.NOT_FOUND,
          "Not found",
          List.of());
      return null;
    }
    boolean secure = ctx.pipeline().get(SslHandler.class) != null;
    if (!hostAndOrigin.originAllowed(request, secure)) {
      reject(
          ctx,
          request,
          HandshakeRejection.ORIGIN_NOT_ALLOWED,
          HttpResponseStatus.FORBIDDEN,
          "Origin not allowed",
          List.of());
      return null;
    }
    String principal = null;
    if (authenticator != null) {
      try {
        principal = authenticator.principal(request);
      } catch (ZocketException e) {
        boolean unauthorized = ErrorCodes.UNAUTHORIZED.equals(e.code());
        reject(
            ctx,
            request,
            unauthorized ? HandshakeRejection.UNAUTHORIZED : HandshakeRejection.FORBIDDEN,
            unauthorized ? HttpResponseStatus.UNAUTHORIZED : HttpResponseStatus.FORBIDDEN,
            e.getMessage(),
            e.details());
        return null;
      } catch (RuntimeException e) {
        authenticatorFailures.error("The authenticator failed", e);
        reject(
            ctx,
            request,
            HandshakeRejection.INTERNAL_ERROR,
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            "Internal error",
            List.of());
        return null;
      }
    }
    Object bound;
    try {
      bound = headers.read(request, query);
    } catch (InvalidPayloadException e) {
      reject(
          ctx,
          request,
          HandshakeRejection.INVALID_HEADERS,
          HttpResponseStatus.BAD_REQUEST,
          e.getMessage(),
          e.details());
      return null;
    }
    String version = request.headers().get(Protocol.VERSION_HEADER);
    List<String> versionParam = query.parameters().get(Protocol.VERSION_HEADER);
    if (versionParam != null) {
      version = versionParam.get(0);
    }
    if (version != null && !Protocol.speaks(version)) {
      log.debug(
          "Client at {} speaks {} {}, this server {}; accepting",
          ctx.channel().remoteAddress(),
          Protocol.VERSION_HEADER,
          LogSafe.text(version),
          Protocol.VERSION);
    }
    Liveness.negotiate(ctx.channel(), request, query);
    PendingAcks.negotiate(ctx.channel(), request, query);
    ServerStreams.negotiate(ctx.channel(), request, query);
    return new Accepted(bound, Resume.of(request, query, principal));
  }

  private static boolean isUpgrade(FullHttpRequest request) {
    return HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
        request.headers().get(HttpHeaderNames.UPGRADE));
  }

  private void serveHttp(ChannelHandlerContext ctx, FullHttpRequest request, boolean onPath) {
    FullHttpResponse response = null;
    if (httpHandler != null) {
      try {
        response = httpHandler.handle(request);
      } catch (RuntimeException e) {
        httpHandlerFailures.error(
            "The HTTP handler failed for {} {}",
            LogSafe.text(request.method().name()),
            LogSafe.text(request.uri()),
            e);
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
      HandshakeRejection reason,
      HttpResponseStatus status,
      String error,
      List<Violation> details) {
    rejected(reason, status);
    log.debug(
        "Rejected the request of {} for {}: {} {} {}",
        ctx.channel().remoteAddress(),
        LogSafe.text(request.uri()),
        status.code(),
        LogSafe.text(error),
        LogSafe.text(details.toString()));
    respond(ctx, request, json(status, error, details), true);
  }

  private void rejected(HandshakeRejection reason, HttpResponseStatus status) {
    if (observers.enabled) {
      observers.onHandshakeRejected(reason, status.code());
    }
  }

  private FullHttpResponse json(HttpResponseStatus status, String error, List<Violation> details) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(errors.encodeHandshakeError(error, details)));
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
