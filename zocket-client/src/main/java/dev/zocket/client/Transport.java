package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Protocol;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import tools.jackson.databind.ObjectMapper;

/**
 * How a client reaches its server: the I/O threads, and the bootstrap that opens each connection
 * over TCP (with TLS for {@code wss://}) or over Netty's in-JVM local transport ({@code
 * local://name}), with the pipeline of {@link ClientInitializer}. Thread-safe.
 */
final class Transport {
  /** Whether the server is in this JVM ({@code local://name}), reached over the local transport. */
  private final boolean local;

  private final String host;
  private final int port;
  private final SslContext ssl;
  private final WebSocketClientProtocolConfig handshake;
  private final long idleMillis;
  private final int maxMessageSize;
  private final ObjectMapper mapper;
  private final InboundRouter inbound;
  private final Resumption resumption;

  /** The server's URI as the client was built with it. */
  private final URI uri;

  /** The connection headers: each asked for its value before every connect. */
  private final Map<String, Supplier<String>> headers;

  private final long connectMillis;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Bootstrap bootstrap;

  /**
   * @param uri where the server is, as the builder checked it
   * @param headers the connection headers, sent as query parameters; each supplier is asked for its
   *     value before every connect (a null value leaves the header out)
   * @param sslContext the TLS settings for {@code wss://}, or null for the JDK's defaults
   * @param group the I/O threads to share, or null for the client's own
   * @param mapper reads the body of a refused handshake
   * @param inbound receives the frames of every connection
   */
  Transport(
      URI uri,
      Map<String, Supplier<String>> headers,
      SslContext sslContext,
      EventLoopGroup group,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxMessageSize,
      ObjectMapper mapper,
      InboundRouter inbound,
      Resumption resumption) {
    boolean secure = "wss".equals(scheme(uri));
    this.local = "local".equals(scheme(uri));
    this.host = uri.getHost();
    this.port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
    this.ssl = secure ? (sslContext != null ? sslContext : defaultSsl()) : null;
    this.idleMillis = idleTimeout.toMillis();
    this.maxMessageSize = maxMessageSize;
    this.mapper = mapper;
    this.inbound = inbound;
    this.resumption = resumption;
    this.uri = uri;
    this.headers = new LinkedHashMap<>(headers);
    this.connectMillis = connectTimeout.toMillis();
    this.handshake =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .version(WebSocketVersion.V13)
            .maxFramePayloadLength(maxMessageSize)
            .handleCloseFrames(false)
            .sendCloseFrame(null)
            .handshakeTimeoutMillis(connectMillis)
            .build();
    // In-process clients share one group that lives as long as the JVM: the server's side of a
    // local channel runs tasks on the client's event loop, even after the client closed.
    this.ownsGroup = group == null && !local;
    this.group =
        group != null
            ? group
            : local
                ? InProcessGroup.GROUP
                : new MultiThreadIoEventLoopGroup(
                    1,
                    new DefaultThreadFactory("zocket-client-io", true),
                    NioIoHandler.newFactory());
    this.bootstrap = new Bootstrap().group(this.group);
    if (local) {
      bootstrap.channel(LocalChannel.class);
    } else {
      bootstrap
          .channel(NioSocketChannel.class)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectMillis)
          .option(ChannelOption.TCP_NODELAY, true);
    }
  }

  /**
   * Starts opening a connection whose handler reports to {@code lifecycle}, with the headers'
   * values of now, resuming the session the client holds, if any. Any thread.
   *
   * @throws ZocketException with code {@code DISCONNECTED} if a header's supplier threw
   */
  ChannelFuture connect(ConnectionLifecycle lifecycle) {
    boolean resuming = resumption.resuming();
    URI attemptUri = withQuery(withQuery(uri, headerValues()), resumption.parameters());
    // Over the in-process transport the handshake is the same, addressed to ws://name.
    WebSocketClientProtocolConfig attempt =
        handshake.toBuilder()
            .webSocketUri(
                local ? URI.create("ws" + attemptUri.toString().substring(5)) : attemptUri)
            .build();
    Bootstrap b =
        bootstrap
            .clone()
            .handler(
                new ClientInitializer(
                    attempt,
                    ssl,
                    host,
                    port,
                    idleMillis,
                    maxMessageSize,
                    mapper,
                    channel ->
                        new ClientHandler(
                            channel, lifecycle, inbound, idleMillis, resuming, connectMillis)));
    return local ? b.connect(new LocalAddress(host)) : b.connect(host, port);
  }

  /** Asks every header's supplier for its value, in the order the headers were set. */
  private Map<String, String> headerValues() {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, Supplier<String>> h : headers.entrySet()) {
      String value;
      try {
        value = h.getValue().get();
      } catch (RuntimeException e) {
        throw new ZocketException(
            ErrorCodes.DISCONNECTED,
            "The supplier of header " + h.getKey() + " threw: " + e,
            List.of(),
            e);
      }
      if (value != null) {
        values.put(h.getKey(), value);
      }
    }
    values.putIfAbsent(Protocol.VERSION_HEADER, ZocketClient.PROTOCOL_VERSION);
    values.putIfAbsent(Protocol.STREAMS_HEADER, "1"); // a server without streams ignores it
    return values;
  }

  /** Runs a task on an I/O thread after a delay. */
  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return group.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the caller is one of the I/O threads, where blocking for a reply could deadlock. */
  boolean onIoThread() {
    for (EventExecutor e : group) {
      if (e.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  /** Releases the I/O threads if the client owns them; returns at once. */
  void shutdown() {
    if (ownsGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Waits until the I/O threads the client owns have ended. */
  void awaitShutdown(long timeout, TimeUnit unit) throws InterruptedException {
    if (ownsGroup) {
      group.terminationFuture().await(timeout, unit);
    }
  }

  static String scheme(URI uri) {
    return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
  }

  private static URI withQuery(URI uri, Map<String, String> headers) {
    StringBuilder query = new StringBuilder();
    if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
      query.append(uri.getRawQuery());
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (query.length() > 0) {
        query.append('&');
      }
      query
          .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return URI.create(scheme(uri) + "://" + uri.getRawAuthority() + path + "?" + query);
  }

  private static SslContext defaultSsl() {
    try {
      // No trust manager given: the JDK's default trust store; host names are verified.
      return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
    } catch (SSLException e) {
      throw new IllegalStateException("Could not set up TLS with the JDK's trust store", e);
    }
  }

  /** The I/O threads of every in-process client, created with the first one. */
  private static final class InProcessGroup {
    static final EventLoopGroup GROUP =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("zocket-client-local", true), LocalIoHandler.newFactory());
  }
}
