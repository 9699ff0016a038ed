package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One connection's pipeline, as {@link ServerInitializer} builds it for an accepted socket, in an
 * {@link EmbeddedChannel}: the test writes what a client sends, as bytes, and reads what the server
 * wrote, decoded as a client would (HTTP responses, then unmasked WebSocket frames). Handlers run
 * on the test's thread, within the write that caused them; the clock stands still unless {@link
 * #advanceTime advanced}.
 */
final class EmbeddedConnection implements AutoCloseable {
  /** The key of RFC 6455's example handshake (section 1.3)... */
  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** ...and the {@code Sec-WebSocket-Accept} it gets. */
  static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  final EmbeddedChannel channel;

  /** The frame stage, kept: a closed channel's pipeline is emptied. */
  private final FrameHandler frameStage;

  private final EmbeddedChannel responses =
      new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 16));
  private final EmbeddedChannel frames =
      new EmbeddedChannel(
          new WebSocket13FrameDecoder(
              WebSocketDecoderConfig.newBuilder()
                  .expectMaskedFrames(false)
                  .maxFramePayloadLength(1 << 20)
                  .build()));

  /** A connection to a server of this pipeline; several may share it. */
  EmbeddedConnection(ServerInitializer pipeline) {
    channel = new EmbeddedChannel(pipeline);
    channel.freezeTime();
    frameStage = channel.pipeline().get(FrameHandler.class);
  }

  /**
   * The pipeline of a server built by {@code builder}, whose handlers run at once on the thread
   * that hands them a message.
   */
  static ServerInitializer pipeline(ZocketServer.Builder<?, ?> builder) {
    return ServerAssembly.pipeline(builder, Runnable::run);
  }

  /** An upgrade request for {@code target} of WebSocket version 13, with more header lines. */
  static String upgrade(String target, String... headerLines) {
    return request(
        target,
        concat(
            new String[] {
              "Upgrade: websocket",
              "Connection: Upgrade",
              "Sec-WebSocket-Key: " + KEY,
              "Sec-WebSocket-Version: 13"
            },
            headerLines));
  }

  /** A GET request for {@code target} from 127.0.0.1, with more header lines. */
  static String get(String target, String... headerLines) {
    return request(target, headerLines);
  }

  private static String request(String target, String[] headerLines) {
    StringBuilder sb = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
    boolean host = false;
    for (String line : headerLines) {
      host |= line.regionMatches(true, 0, "Host:", 0, 5);
    }
    if (!host) {
      sb.append("Host: 127.0.0.1\r\n");
    }
    for (String line : headerLines) {
      sb.append(line).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** The frame stage, which holds the connection once upgraded. */
  FrameHandler frameStage() {
    return frameStage;
  }

  /** Sends bytes as a client would, ISO-8859-1 encoded (an HTTP request). */
  void send(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
  }

  /** Sends one masked frame as a client would. */
  void sendFrame(int opcode, boolean fin, byte[] payload) {
    channel.writeInbound(Unpooled.wrappedBuffer(RawClient.frame(opcode, fin, 0, payload)));
    channel.runPendingTasks();
  }

  /** Sends one whole masked text frame. */
  void sendText(String text) {
    sendFrame(RawClient.TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Moves the connection's clock on, running the timers that come due. */
  void advanceTime(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
  }

  /**
   * An HTTP response as the client read it.
   *
   * @param status its status code
   * @param headers its headers
   * @param body its body, as UTF-8
   */
  record Response(int status, HttpHeaders headers, String body) {}

  /** The next HTTP response the server wrote; fails if it wrote none. */
  Response response() {
    moveOutboundTo(responses);
    FullHttpResponse response = responses.readInbound();
    assertThat(response).as("an HTTP response written by the server").isNotNull();
    try {
      return new Response(
          response.status().code(),
          response.headers().copy(),
          response.content().toString(StandardCharsets.UTF_8));
    } finally {
      response.release();
    }
  }

  /**
   * The next WebSocket frame the server wrote, or null if it wrote no other one; the caller
   * releases it.
   */
  WebSocketFrame nextFrame() {
    moveOutboundTo(frames);
    return frames.readInbound();
  }

  /** The next WebSocket frame the server wrote; fails if it wrote none. */
  WebSocketFrame frame() {
    WebSocketFrame frame = nextFrame();
    assertThat(frame).as("a WebSocket frame written by the server").isNotNull();
    return frame;
  }

  /** Whether the server wrote nothing more, neither bytes nor anything not yet decoded. */
  boolean wroteNothingMore() {
    channel.runPendingTasks();
    if (!channel.outboundMessages().isEmpty()) {
      return false;
    }
    return responses.inboundMessages().isEmpty() && frames.inboundMessages().isEmpty();
  }

  private void moveOutboundTo(EmbeddedChannel decoder) {
    channel.runPendingTasks();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      assertThat(o).as("what the server wrote").isInstanceOf(ByteBuf.class);
      decoder.writeInbound(o);
    }
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
    responses.finishAndReleaseAll();
    frames.finishAndReleaseAll();
  }
}
