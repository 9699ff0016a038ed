package dev.zocket.netty;

import dev.zocket.DropReason;
import dev.zocket.LogSafe;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.RateLimitedLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CodecException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a connection's pipeline, and its WebSocket protocol handler once upgraded:
 * decodes every text or binary message on the I/O thread and hands it to the connection and applies
 * the rate limit ({@link RateLimiter}). The layers it extends keep why the connection is not read
 * from ({@link ReadPauses}), time the socket out, ping it when it is silent and answer its pings
 * ({@link Heartbeat}), and run the closing handshake ({@link CloseHandshake}): one object per
 * connection for all four.
 *
 * <p><b>Reading</b> pauses while the connection is behind (its outbound buffer full: the client
 * does not read what it caused), while too many of its messages wait for their handlers, while a
 * configured rate limit throttles it, and during a shutdown; TCP then pushes back on the client.
 * Nothing already read is dropped.
 *
 * <p><b>Closing</b> completes the closing handshake ({@link CloseHandshake}): the peer reads the
 * code of every close the server starts.
 *
 * <p>Every socket is counted against the connection limits from the moment it is accepted (see
 * {@link Admission}). Fragmented messages are rare, so Netty's aggregator is put in front of this
 * stage only when the first one arrives.
 *
 * <p>Collaborators, given by the server: the dispatcher (to decode), the frame size limit, the
 * heartbeat's {@link Heartbeat.Timing}, the {@link RateLimiter.Limit}, the {@link Admission}, the
 * drop counters and the {@link SlowConsumers} rules (for its {@link FrameWriter} and its 1013); its
 * own per connection: the {@link RateLimiter} and, once upgraded, the {@link FrameWriter} and the
 * {@link ServerConnection}.
 *
 * <p>Threading: everything runs on the connection's I/O thread, except {@link #connection()}, which
 * a shutdown reads from any thread.
 */
final class FrameHandler extends ReadPauses {
  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

  /** Lines a client can cause once per connection: slow consumers cut, unexpected errors. */
  private static final RateLimitedLog slowConsumerLog = new RateLimitedLog(log);

  private static final RateLimitedLog unexpected = new RateLimitedLog(log);

  /** The status of a slow consumer's close: try again later. */
  static final int SLOW_CONSUMER_STATUS = 1013;

  /** Per I/O thread: a reusable copy of a direct frame, for decoding. */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[4096];
        }
      };

  /**
   * What the frame stages of one server share, made once for all its sockets (one reference per
   * socket).
   *
   * @param dispatcher decodes messages
   * @param maxFrameSize the frame size limit (1009 beyond it), for fragmented messages
   * @param timing the durations of the heartbeat
   * @param rateLimit the server's rate limit
   * @param slowConsumers the server's slow-consumer rules, for the writer and this stage's 1013
   * @param state the connection limits (a socket counts from when it is active), the drops, the
   *     inbound memory, and whether the server is shutting down
   * @param connections opens the connection once upgraded
   */
  record Shared(
      Dispatcher dispatcher,
      int maxFrameSize,
      Heartbeat.Timing timing,
      RateLimiter.Limit rateLimit,
      SlowConsumers slowConsumers,
      ServerState state,
      Connections connections) {}

  private final Shared shared;

  /** The rate limit, or null for none. */
  private final RateLimiter rateLimit;

  /** Set on the I/O thread once upgraded; read by a shutdown from any thread. */
  private volatile ServerConnection connection;

  private FrameWriter writer;

  /** What the connection limits let this socket do; null until it is active. */
  private Admission.Verdict verdict;

  /** A socket's frame stage. */
  FrameHandler(Shared shared) {
    this.shared = shared;
    this.rateLimit = RateLimiter.of(shared.rateLimit());
  }

  /** The connection once upgraded, else null. Any thread. */
  ServerConnection connection() {
    return connection;
  }

  /**
   * What the connection limits let this socket do: {@code OPEN}, or {@code FULL} / {@code
   * ADDRESS_FULL} when its request is to be refused. On the I/O thread, by the handshake stage.
   */
  Admission.Verdict admission() {
    return verdict;
  }

  /**
   * On the I/O thread, by the handshake stage, once the upgrade response is on its way and the
   * pipeline holds the WebSocket codec: opens the connection.
   */
  void upgraded(Object headers, Resume resume) {
    writer = new FrameWriter(ctx.channel(), this, shared.slowConsumers());
    startPinging();
    if (shared.state().closing()) {
      close(1001, "Server is shutting down");
      return;
    }
    ServerConnection c = shared.connections().open(ctx.channel(), writer, headers, resume);
    connection = c;
    shared.state().channels.remove(ctx.channel()); // live now: shutdown finds it there
    c.start();
  }

  @Override
  Heartbeat.Timing timing() {
    return shared.timing();
  }

  @Override
  InboundMemory inboundMemory() {
    return shared.state().inbound;
  }

  // ------------------------------------------------------------------ socket and heartbeat

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    verdict = shared.state().admission.admit(ctx.channel().remoteAddress());
    if (verdict == Admission.Verdict.DROP) {
      log.debug("Closing {} at once: over the connection limit and its headroom", describe());
      ctx.close();
      return;
    }
    startHeartbeat();
    super.channelActive(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    markRead();
    super.channelReadComplete(ctx);
  }

  @Override
  void requestTimedOut() {
    log.debug(
        "Closing {}: no whole HTTP request within {}",
        describe(),
        shared.timing().handshakeTimeout());
    ctx.close();
  }

  @Override
  void idleTimedOut() {
    log.debug(
        "Closing {}: no whole frame or message for {}", describe(), shared.timing().idleTimeout());
    if (writer == null) {
      ctx.close();
    } else {
      close(1001, "Idle timeout");
    }
  }

  // ------------------------------------------------------------------ frames

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      ReferenceCountUtil.release(msg); // what a removed decoder left over
      return;
    }
    try {
      read(frame);
    } finally {
      frame.release();
    }
  }

  private void read(WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      if (!frame.isFinalFragment()) {
        aggregateFragments(frame); // the aggregator tells the heartbeat a message has begun
      } else {
        messageArrived();
        message(frame);
      }
    } else if (frame instanceof PingWebSocketFrame) {
      controlArrived();
      answerPing(frame.content());
    } else if (frame instanceof CloseWebSocketFrame close) {
      peerClosed(close);
    } else if (frame instanceof ContinuationWebSocketFrame && begun()) {
      shared
          .state()
          .drops
          .count(DropReason.CLOSING); // the rest of a message cut short by our close
    } else {
      controlArrived(); // a pong: all the idle timeout needs
    }
  }

  private void message(WebSocketFrame frame) {
    ServerConnection connection = this.connection;
    if (begun() || connection == null) {
      shared.state().drops.count(DropReason.CLOSING);
      return;
    }
    ByteBuf content = frame.content();
    int length = content.readableBytes();
    byte[] data;
    int offset;
    if (content.hasArray()) {
      data = content.array();
      offset = content.arrayOffset() + content.readerIndex();
    } else {
      data = SCRATCH.get();
      if (data.length < length) {
        data = new byte[Math.max(length, data.length * 2)];
        SCRATCH.set(data);
      }
      content.getBytes(content.readerIndex(), data, 0, length);
      offset = 0;
    }
    if (frame instanceof TextWebSocketFrame && !Utf8.isValid(data, offset, length)) {
      log.debug("Closing {}: a text message that is not UTF-8", describe());
      close(WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "Invalid UTF-8");
      shared.state().drops.count(DropReason.MALFORMED); // not text: no envelope to read
      return;
    }
    boolean allowed = withinRate();
    if (begun()) {
      // Over the rate limit, with the close policy: refused for its rate, as under REJECT.
      shared.state().drops.count(DropReason.RATE_LIMITED);
      return;
    }
    if (Liveness.answered(ctx.channel(), writer, data, offset, length)) {
      return;
    }
    if (PendingAcks.answered(ctx.channel(), data, offset, length)) {
      return;
    }
    Dispatcher.Inbound in = shared.dispatcher().decode(data, offset, length);
    if (in == null) {
      return;
    }
    if (allowed) {
      connection.receive(in);
    } else if (in.rpcId() != null) {
      connection.reject(in, "Too many messages per second");
    } else {
      shared.state().drops.count(DropReason.RATE_LIMITED);
      log.debug("Dropped a message of {}: over the rate limit", describe());
    }
  }

  /**
   * Applies the rate limit to one message: true to handle it (see {@link RateLimiter}); beyond the
   * rate, the close policy closes the connection with 1008.
   */
  private boolean withinRate() {
    RateLimiter limiter = rateLimit;
    if (limiter == null || limiter.allows(ctx, this)) {
      return true;
    }
    if (limiter.closes()) {
      log.debug("Closing {}: over {} messages per second", describe(), limiter);
      close(1008, "Rate limit exceeded");
    }
    return false;
  }

  /**
   * Puts Netty's aggregator in front of this stage, bounded by the frame size limit (1009 beyond
   * it), and hands it the first fragment; the rest of the message, and every later fragmented one,
   * passes through it. It tells the heartbeat when a fragmented message begins: until the whole
   * message arrives, nothing else keeps the connection from the idle timeout.
   */
  private void aggregateFragments(WebSocketFrame first) {
    WebSocketFrameAggregator aggregator =
        new WebSocketFrameAggregator(shared.maxFrameSize()) {
          @Override
          protected WebSocketFrame beginAggregation(WebSocketFrame start, ByteBuf content)
              throws Exception {
            messageBegun();
            return super.beginAggregation(start, content);
          }
        };
    ctx.pipeline().addBefore(ctx.name(), "fragments", aggregator);
    try {
      aggregator.channelRead(ctx.pipeline().context(aggregator), first.retain());
    } catch (Exception e) {
      exceptionCaught(ctx, e); // as if it had come down the pipeline from the aggregator
    }
  }

  // ------------------------------------------------------------------ closing

  /** On the I/O thread, from the writer: closes a slow consumer with 1013, once. */
  void slowConsumer(String why) {
    if (!begun()) {
      slowConsumerLog.info("Closing {} with 1013 as a slow consumer: {}", describe(), why);
      shared.slowConsumers().closed();
      closeSlowConsumer("Slow consumer");
    }
  }

  @Override
  void closingBegan(boolean deliverBacklog) {
    if (writer != null) {
      writer.close(deliverBacklog);
    }
    releaseNextPong(); // no pong any more, nor a ping or a timeout: the heartbeat sees begun()
    updateAutoRead();
  }

  @Override
  void closeTimedOut() {
    log.debug("Closing {}: the peer did not close within the close timeout", describe());
    ctx.close();
  }

  // ------------------------------------------------------------------ end

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (writer != null) {
      writer.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopHeartbeat();
    stopCloseTimeout();
    if (rateLimit != null) {
      rateLimit.stop();
    }
    stopInboundRecheck();
    if (writer != null) {
      writer.close(false);
    }
    if (verdict != null) {
      shared.state().admission.release(ctx.channel().remoteAddress(), verdict);
    }
    ServerConnection c = connection;
    if (c != null) {
      c.closed(code());
    }
    super.channelInactive(ctx);
  }

  /**
   * How Netty's frame decoder reports a close frame with a body of one byte, the only close frame
   * it refuses itself ({@link Rfc6455Handshaker} leaves codes and reasons to {@link
   * CloseHandshake}); {@code FrameStageTest} fails if the wording changes.
   */
  private static final String UNREADABLE_CLOSE = "received close control frame";

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      // The frame decoder has lost its place in the stream: what follows is dropped unparsed.
      CloseHandshake.discardTheRest(ctx);
      WebSocketCloseStatus status = corrupt.closeStatus();
      log.debug("Closing {}: {}", describe(), LogSafe.text(cause.getMessage()));
      String message = String.valueOf(cause.getMessage());
      if (message.startsWith(UNREADABLE_CLOSE)) {
        answerUnreadableClose(status.code(), status.reasonText());
        return;
      }
      close(
          status.code(),
          status.code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()
              ? "Message too big"
              : status.reasonText());
    } else if (cause instanceof TooLongFrameException || cause instanceof DecompressionException) {
      log.debug("Closing {}: message over {} bytes", describe(), shared.maxFrameSize());
      close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "Message too big");
    } else if (cause instanceof IOException
        || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
      log.debug("Closing {}: {}", describe(), cause.toString());
      ctx.close();
    } else if (byThePeer(cause)) {
      log.debug("Closing {}: {}", describe(), LogSafe.text(cause.toString()));
      ctx.close();
    } else {
      unexpected.warn("Closing {} after an unexpected error", describe(), cause);
      ctx.close();
    }
  }

  /**
   * Whether an error is the peer's doing, an expected network event logged at debug without a
   * trace: the socket closed in the middle of a message (a fragmented WebSocket message, an HTTP
   * request or its body), or a decoder refused the bytes it sent.
   */
  private static boolean byThePeer(Throwable cause) {
    return cause instanceof PrematureChannelClosureException
        || cause instanceof DecoderException
            && (cause.getCause() == null
                || cause.getCause() instanceof CodecException
                || cause.getCause() instanceof IOException);
  }

  private String describe() {
    ServerConnection c = connection;
    return c != null ? "client " + c.clientId() : String.valueOf(ctx.channel().remoteAddress());
  }
}
