package dev.zocket.netty;

import dev.zocket.internal.Dispatcher;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
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
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a connection's pipeline: creates the {@link ServerConnection} when the
 * handshake completes, applies the rate limit, decodes every text or binary message on the I/O
 * thread and hands it to the connection, sends heartbeats, and closes idle or oversized peers
 * (1009, also for a compressed message that inflates past the limit).
 *
 * <p>The heartbeat is one timer per connection (the task is this handler): it closes a connection
 * that read nothing for the idle timeout, HTTP ones included, and pings an upgraded one that was
 * not written to for a ping interval. Fragmented messages are rare, so Netty's aggregator is put in
 * front of this stage only when the first one arrives.
 */
final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

  /** Per I/O thread: a reusable copy of a direct frame, for decoding. */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[4096];
        }
      };

  private final ServerConfig config;

  /** Set on the I/O thread once upgraded; read by a shutdown from any thread. */
  private volatile ServerConnection connection;

  /** The bound headers of an accepted upgrade, until the handshake completes. */
  private Object headers;

  /** Whether this channel counts against the connection limit (see {@link #admit}). */
  private boolean admitted;

  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> heartbeat;

  /** When something was last read, and when the ping interval last began ({@code nanoTime}). */
  private long lastRead;

  private long lastPing;

  /** Set once an idle connection was asked to close: the next timeout closes it outright. */
  private boolean idleClosing;

  /** The rate limit's token bucket: messages that may be sent now, and when it was refilled. */
  private double tokens;

  private long refilledAt;

  /**
   * Set when this stage closed the connection (rate limit, invalid UTF-8): later frames are
   * ignored.
   */
  private boolean closing;

  FrameHandler(ServerConfig config) {
    this.config = config;
    this.tokens = config.hardening.messageBurst();
    this.refilledAt = System.nanoTime();
  }

  /** A plain type check, in place of the generic matcher's reflective one on every message. */
  @Override
  public boolean acceptInboundMessage(Object msg) {
    return msg instanceof WebSocketFrame;
  }

  /** The connection once upgraded, else null. Any thread. */
  ServerConnection connection() {
    return connection;
  }

  /**
   * Counts this channel against the connection limit until it closes, once; false when the server
   * is full. On the I/O thread, by the handshake stage.
   */
  boolean admit() {
    if (admitted) {
      return true;
    }
    if (config.admitted.incrementAndGet() > config.hardening.maxConnections()) {
      config.admitted.decrementAndGet();
      return false;
    }
    admitted = true;
    return true;
  }

  /** The bound headers of an accepted upgrade. On the I/O thread, by the handshake stage. */
  void accepted(Object headers) {
    this.headers = headers;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      opened(ctx);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void opened(ChannelHandlerContext ctx) {
    Object headers = this.headers;
    this.headers = null;
    ctx.pipeline().remove(HandshakeHandler.class);
    if (config.closing()) {
      ctx.writeAndFlush(new CloseWebSocketFrame(1001, "Server is shutting down"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ServerConnection c = new ServerConnection(config, ctx.channel(), config.newClientId(), headers);
    connection = c;
    config.live.add(c);
    c.start();
  }

  // ------------------------------------------------------------------ heartbeat

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    lastRead = lastPing = System.nanoTime();
    scheduleHeartbeat(lastRead);
    super.channelActive(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    lastRead = System.nanoTime();
    super.channelReadComplete(ctx);
  }

  private void scheduleHeartbeat(long now) {
    long idle = config.idleTimeout.toNanos();
    long ping = config.pingInterval.toNanos();
    long next = Long.MAX_VALUE;
    if (idle > 0) {
      next = lastRead + idle;
    }
    if (ping > 0) {
      next = Math.min(next, lastPing + ping);
    }
    if (next != Long.MAX_VALUE) {
      heartbeat = ctx.executor().schedule(this, Math.max(0, next - now), TimeUnit.NANOSECONDS);
    }
  }

  /** The heartbeat's timer, on the I/O thread. */
  @Override
  public void run() {
    heartbeat = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    long idle = config.idleTimeout.toNanos();
    if (idle > 0 && now - lastRead >= idle) {
      ServerConnection c = connection;
      if (c == null || idleClosing) {
        log.debug("Closing {}: silent for {}", describe(ctx), config.idleTimeout);
        ctx.close();
        return;
      }
      log.debug("Closing {}: silent for {}", describe(ctx), config.idleTimeout);
      idleClosing = true;
      c.closeWith(1001, "Idle timeout");
      lastRead = now; // one more timeout for the close handshake, then the socket is closed
    }
    long ping = config.pingInterval.toNanos();
    if (ping > 0 && now - lastPing >= ping) {
      lastPing = now;
      ServerConnection c = connection;
      if (c != null && !c.takeWritten() && !idleClosing) {
        ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
      }
    }
    scheduleHeartbeat(now);
  }

  // ------------------------------------------------------------------ messages

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (!frame.isFinalFragment() && !(frame instanceof ContinuationWebSocketFrame)) {
      aggregateFragments(ctx, frame);
      return;
    }
    ServerConnection connection = this.connection;
    if (connection == null
        || closing
        || !(frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
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
      closing = true;
      log.debug("Closing {}: a text message that is not UTF-8", describe(ctx));
      connection.closeWith(WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code(), "Invalid UTF-8");
      return;
    }
    boolean allowed = withinRate();
    if (!allowed && config.hardening.rateLimitPolicy() == RateLimitPolicy.CLOSE) {
      closing = true;
      log.debug("Closing {}: over {} messages per second", describe(ctx), rateDescription());
      connection.closeWith(1008, "Rate limit exceeded");
      return;
    }
    Dispatcher.Inbound in = config.dispatcher.decode(data, offset, length);
    if (in == null) {
      return;
    }
    if (allowed) {
      connection.receive(in);
    } else if (in.rpcId() != null) {
      connection.reject(in.rpcId(), "Too many messages per second");
    } else {
      log.debug("Dropped a message of {}: over the rate limit", describe(ctx));
    }
  }

  /**
   * Puts Netty's aggregator in front of this stage, bounded by the frame size limit (1009 beyond
   * it), and hands it the first fragment; the rest of the message, and every later fragmented one,
   * passes through it.
   */
  private void aggregateFragments(ChannelHandlerContext ctx, WebSocketFrame first) {
    WebSocketFrameAggregator aggregator = new WebSocketFrameAggregator(config.maxFrameSize);
    ctx.pipeline().addBefore(ctx.name(), "fragments", aggregator);
    try {
      aggregator.channelRead(ctx.pipeline().context(aggregator), first.retain());
    } catch (Exception e) {
      exceptionCaught(ctx, e); // as if it had come down the pipeline from the aggregator
    }
  }

  /** Takes a token from the bucket; false when it is empty. */
  private boolean withinRate() {
    int rate = config.hardening.messagesPerSecond();
    if (rate == 0) {
      return true;
    }
    long now = System.nanoTime();
    double t =
        Math.min(config.hardening.messageBurst(), tokens + (now - refilledAt) * (rate / 1e9));
    refilledAt = now;
    if (t < 1) {
      tokens = t;
      return false;
    }
    tokens = t - 1;
    return true;
  }

  private String rateDescription() {
    return config.hardening.messagesPerSecond()
        + " (burst "
        + config.hardening.messageBurst()
        + ")";
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) {
      connection.writabilityChanged(ctx.channel().isWritable());
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (heartbeat != null) {
      heartbeat.cancel(false);
      heartbeat = null;
    }
    if (admitted) {
      config.admitted.decrementAndGet();
    }
    ServerConnection c = connection;
    if (c != null) {
      c.closed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException || cause instanceof DecompressionException) {
      log.debug("Closing {}: message over {} bytes", describe(ctx), config.maxFrameSize);
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
          .addListener(ChannelFutureListener.CLOSE);
    } else if (cause instanceof CorruptedWebSocketFrameException
        || cause instanceof IOException
        || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
      log.debug("Closing {}: {}", describe(ctx), cause.toString());
      ctx.close();
    } else {
      log.warn("Closing {} after an unexpected error", describe(ctx), cause);
      ctx.close();
    }
  }

  private String describe(ChannelHandlerContext ctx) {
    ServerConnection c = connection;
    return c != null ? "client " + c.clientId() : String.valueOf(ctx.channel().remoteAddress());
  }
}
