package dev.zocket.client;

import dev.zocket.Violation;
import dev.zocket.internal.Protocol;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns a refused upgrade into a {@link HandshakeRejectedException} that keeps the response body
 * (Netty's own handshake exception keeps only the status line), then steps out of the pipeline.
 */
final class HandshakeCheck extends ChannelInboundHandlerAdapter {
  private final ObjectMapper mapper;

  HandshakeCheck(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpResponse response)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(msg);
      return;
    }
    HandshakeRejectedException rejected;
    try {
      String body = response.content().toString(StandardCharsets.UTF_8);
      rejected =
          new HandshakeRejectedException(
              "Server rejected the WebSocket handshake with HTTP "
                  + response.status()
                  + (body.isEmpty() ? "" : ": " + body),
              response.status().code(),
              body,
              serverMessage(body),
              details(body));
    } finally {
      response.release();
    }
    ctx.fireExceptionCaught(rejected);
    ctx.channel().close();
  }

  /** The {@code error} of Zocket's JSON error body, or the body when it is something else. */
  private String serverMessage(String body) {
    try {
      JsonNode error = mapper.readTree(body).path(Protocol.ERROR);
      return error.isString() ? error.stringValue() : body;
    } catch (Exception notJson) {
      return body;
    }
  }

  /** The {@code details} of Zocket's JSON error body, or none when the body is something else. */
  private List<Violation> details(String body) {
    List<Violation> out = new ArrayList<>();
    try {
      JsonNode details = mapper.readTree(body).path(Protocol.DETAILS);
      for (JsonNode d : details) {
        if (d.path(Protocol.PATH).isString() && d.path(Protocol.MESSAGE).isString()) {
          out.add(
              new Violation(
                  d.get(Protocol.PATH).stringValue(), d.get(Protocol.MESSAGE).stringValue()));
        }
      }
    } catch (Exception notJson) {
      // Not Zocket's error body: the message still quotes it as text.
      return List.of();
    }
    return out;
  }
}
