package dev.zocket.netty;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The liveness extension, for clients that cannot see WebSocket pings (browsers): a client that
 * asks with the query parameter {@code x-zocket-liveness=1} is sent {@code {"type":"__pong"}} once
 * the connection is open (after {@code __session}, if any), and from then on each of its pings, the
 * exact text {@code {"type":"__ping"}}, is answered with {@code {"type":"__pong"}} instead of being
 * dispatched. A connection that did not ask never sees a {@code __pong}, and its {@code __ping} is
 * an ordinary message (an unknown route). See the Liveness section of docs/protocol.md.
 *
 * <p>Stateless: the negotiation is an attribute of the channel, set by the handshake stage. The
 * methods run on the connection's I/O thread.
 */
final class Liveness {
  /**
   * The close code (extension) of a client that gave up on a connection, because the server's
   * answers stopped coming, and reconnects to resume its session: the session is kept, as for 1006
   * (browsers may close with 1000 or 3000 to 4999 only, and 1000 would end the session).
   */
  static final int RECONNECTING = 4002;

  /** The query parameter (or header) with which a client asks for the extension. */
  static final String PARAMETER = "x-zocket-liveness";

  /** The client's ping: this exact text, nothing else. */
  private static final byte[] PING = "{\"type\":\"__ping\"}".getBytes(StandardCharsets.US_ASCII);

  /** The server's announcement and its answer to each ping. */
  private static final byte[] PONG = "{\"type\":\"__pong\"}".getBytes(StandardCharsets.US_ASCII);

  private static final AttributeKey<Boolean> ASKED =
      AttributeKey.valueOf(Liveness.class, "zocket-liveness");

  private Liveness() {}

  /**
   * By the handshake stage, before the upgrade: marks the channel when the request asks for the
   * extension ({@code x-zocket-liveness=1} as a query parameter, or a header of that name).
   */
  static void negotiate(Channel channel, HttpRequest request, QueryStringDecoder query) {
    List<String> values = query.parameters().get(PARAMETER);
    String value = values != null ? values.get(0) : request.headers().get(PARAMETER);
    if ("1".equals(value)) {
      channel.attr(ASKED).set(Boolean.TRUE);
    }
  }

  /** Once the connection is open: announces the extension to a client that asked for it. */
  static void announce(Channel channel, FrameWriter writer) {
    if (asked(channel)) {
      writer.reply(TextFrames.of(channel.alloc(), PONG));
    }
  }

  /**
   * For each message read: answers a ping of a client that asked for the extension.
   *
   * @return true when the message was a ping and has been answered: it is not to be dispatched
   */
  static boolean answered(
      Channel channel, FrameWriter writer, byte[] data, int offset, int length) {
    if (length != PING.length
        || !Arrays.equals(data, offset, offset + length, PING, 0, PING.length)
        || !asked(channel)) {
      return false;
    }
    writer.reply(TextFrames.of(channel.alloc(), PONG));
    return true;
  }

  private static boolean asked(Channel channel) {
    // hasAttr first: attr() alone would give every connection an attribute it does not need.
    return channel.hasAttr(ASKED) && Boolean.TRUE.equals(channel.attr(ASKED).get());
  }
}
