package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;

/**
 * Netty's RFC 6455 handshaker, whose frame decoder passes a peer's close frame on whatever its code
 * and reason: {@link CloseHandshake} checks them itself and answers a bad one (1002 for a code RFC
 * 6455 does not allow, 1007 for a reason that is not UTF-8), then closes the socket at once, since
 * the peer has ended its side. Netty's own check would mark the stream corrupt instead, after which
 * the peer's last bytes can no longer be read and a TLS connection waited for the close timeout.
 * Used on the I/O thread, once per upgrade.
 */
final class Rfc6455Handshaker extends WebSocketServerHandshaker13 {
  Rfc6455Handshaker(WebSocketDecoderConfig decoderConfig) {
    super("ws://zocket/", null, decoderConfig);
  }

  @Override
  protected WebSocketFrameDecoder newWebsocketDecoder() {
    return new WebSocket13FrameDecoder(decoderConfig()) {
      @Override
      protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf buffer) {
        // CloseHandshake.peerClosed checks the code and the reason.
      }
    };
  }
}
