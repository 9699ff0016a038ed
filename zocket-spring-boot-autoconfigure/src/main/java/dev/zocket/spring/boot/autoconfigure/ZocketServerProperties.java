package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.netty.RateLimitPolicy;
import dev.zocket.netty.SlowConsumerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code zocket.server.*} properties: the options of {@code ZocketServer.Builder} that a
 * deployment sets. A property left unset keeps the builder's default; the defaults shown here are
 * the builder's. Sizes take Spring's units ({@code 64KB}, {@code 256MB}), durations Spring's
 * ({@code 30s}, {@code 2m}).
 *
 * <p>Not thread-safe: bound once by Spring when the context starts, read when the server starts.
 */
@ConfigurationProperties("zocket.server")
public class ZocketServerProperties {

  /** Whether the auto-configuration starts a Zocket server. */
  private boolean enabled = true;

  /** The address to bind; 0.0.0.0 is every interface. */
  private String host = "0.0.0.0";

  /** The port to bind; 0 for any free port (then read local.zocket.port). */
  private int port = 3000;

  /** The only path that accepts WebSocket upgrades, for example /ws; unset accepts any path. */
  private String path;

  /**
   * Serve in process (Netty's in-JVM transport, reached through local:// URIs by clients in the
   * same JVM) instead of on a port: for tests that need no port. Host and port are then not used.
   */
  private boolean inProcess;

  /** The number of I/O threads; 0 is Netty's default (twice the CPU count). */
  private int ioThreads;

  /**
   * The largest message accepted (a frame, or all fragments of a message); a larger one closes the
   * connection with 1009.
   */
  private DataSize maxFrameSize = DataSize.ofKilobytes(64);

  /**
   * The most sockets at once; beyond it a handshake is answered 503. Unset: 10,000, or fewer when
   * the file limit or the direct memory allows fewer (see ZocketServer.Builder.maxConnections).
   */
  private Integer maxConnections;

  /**
   * The most sockets of one remote address at once (answered 429 beyond); 0 is no limit. Leave it 0
   * behind a proxy.
   */
  private int maxConnectionsPerAddress;

  /** How long a socket may take to send a whole HTTP request (the upgrade) before it is closed. */
  private Duration handshakeTimeout = Duration.ofSeconds(10);

  /**
   * How long a connection may go without progress before it is closed as dead with 1001; 0
   * disables. Must be longer than the ping interval.
   */
  private Duration idleTimeout = Duration.ofSeconds(60);

  /** How long a connection may send nothing before the server pings it; 0 disables. */
  private Duration pingInterval = Duration.ofSeconds(25);

  /** The most rooms one connection may be in; a further join fails with LIMIT_EXCEEDED. */
  private int maxRoomsPerConnection = 100;

  /** The longest room id, in characters. */
  private int maxRoomIdLength = 256;

  /** The heap rooms and memberships may take. Unset: a quarter of the maximum heap. */
  private DataSize maxRoomMemory;

  /**
   * The memory all connections that are behind may hold together. Unset: a quarter of the maximum
   * heap or of the maximum direct memory, whichever is smaller.
   */
  private DataSize maxBacklogMemory;

  /**
   * The bytes of received messages waiting for their handlers, all connections together. Unset: a
   * quarter of the maximum heap.
   */
  private DataSize maxInboundMemory;

  /**
   * The heap the events kept for connection-state recovery may take. Unset: an eighth of the
   * maximum heap.
   */
  private DataSize maxRecoveryMemory;

  /**
   * The most calls of one connection received and not yet answered; a call beyond it is answered
   * RATE_LIMITED.
   */
  private int maxCallsInFlight = 128;

  /**
   * The web origins (scheme://host[:port]) whose pages may connect; * for any. Unset: only the
   * server's own origin. A handshake without Origin (not from a browser) is accepted.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  /** The host names a request's Host header may name, against DNS rebinding. Unset: any host. */
  private List<String> allowedHosts = new ArrayList<>();

  /** Whether to offer permessage-deflate compression to clients that ask for it. */
  private boolean compression;

  /** Whether events are validated before they are sent. */
  private boolean validateOutgoing = true;

  private final RateLimit rateLimit = new RateLimit();

  private final SlowConsumer slowConsumer = new SlowConsumer();

  private final Recovery recovery = new Recovery();

  private final Shutdown shutdown = new Shutdown();

  private final Ssl ssl = new Ssl();

  /** Whether the auto-configuration starts a Zocket server. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether the auto-configuration starts a Zocket server. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** The address to bind. */
  public String getHost() {
    return host;
  }

  /** Sets the address to bind. */
  public void setHost(String host) {
    this.host = host;
  }

  /** The port to bind. */
  public int getPort() {
    return port;
  }

  /** Sets the port to bind. */
  public void setPort(int port) {
    this.port = port;
  }

  /** The WebSocket path, or null for any. */
  public String getPath() {
    return path;
  }

  /** Sets the WebSocket path. */
  public void setPath(String path) {
    this.path = path;
  }

  /** Whether the server runs in process. */
  public boolean isInProcess() {
    return inProcess;
  }

  /** Sets whether the server runs in process. */
  public void setInProcess(boolean inProcess) {
    this.inProcess = inProcess;
  }

  /** The number of I/O threads. */
  public int getIoThreads() {
    return ioThreads;
  }

  /** Sets the number of I/O threads. */
  public void setIoThreads(int ioThreads) {
    this.ioThreads = ioThreads;
  }

  /** The largest message accepted. */
  public DataSize getMaxFrameSize() {
    return maxFrameSize;
  }

  /** Sets the largest message accepted. */
  public void setMaxFrameSize(DataSize maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
  }

  /** The most sockets at once, or null for the builder's default. */
  public Integer getMaxConnections() {
    return maxConnections;
  }

  /** Sets the most sockets at once. */
  public void setMaxConnections(Integer maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** The most sockets of one address at once. */
  public int getMaxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  /** Sets the most sockets of one address at once. */
  public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
    this.maxConnectionsPerAddress = maxConnectionsPerAddress;
  }

  /** The handshake timeout. */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  /** Sets the handshake timeout. */
  public void setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
  }

  /** The idle timeout. */
  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  /** Sets the idle timeout. */
  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  /** The ping interval. */
  public Duration getPingInterval() {
    return pingInterval;
  }

  /** Sets the ping interval. */
  public void setPingInterval(Duration pingInterval) {
    this.pingInterval = pingInterval;
  }

  /** The most rooms per connection. */
  public int getMaxRoomsPerConnection() {
    return maxRoomsPerConnection;
  }

  /** Sets the most rooms per connection. */
  public void setMaxRoomsPerConnection(int maxRoomsPerConnection) {
    this.maxRoomsPerConnection = maxRoomsPerConnection;
  }

  /** The longest room id. */
  public int getMaxRoomIdLength() {
    return maxRoomIdLength;
  }

  /** Sets the longest room id. */
  public void setMaxRoomIdLength(int maxRoomIdLength) {
    this.maxRoomIdLength = maxRoomIdLength;
  }

  /** The room memory budget, or null for the builder's default. */
  public DataSize getMaxRoomMemory() {
    return maxRoomMemory;
  }

  /** Sets the room memory budget. */
  public void setMaxRoomMemory(DataSize maxRoomMemory) {
    this.maxRoomMemory = maxRoomMemory;
  }

  /** The backlog memory budget, or null for the builder's default. */
  public DataSize getMaxBacklogMemory() {
    return maxBacklogMemory;
  }

  /** Sets the backlog memory budget. */
  public void setMaxBacklogMemory(DataSize maxBacklogMemory) {
    this.maxBacklogMemory = maxBacklogMemory;
  }

  /** The inbound memory budget, or null for the builder's default. */
  public DataSize getMaxInboundMemory() {
    return maxInboundMemory;
  }

  /** Sets the inbound memory budget. */
  public void setMaxInboundMemory(DataSize maxInboundMemory) {
    this.maxInboundMemory = maxInboundMemory;
  }

  /** The recovery memory budget, or null for the builder's default. */
  public DataSize getMaxRecoveryMemory() {
    return maxRecoveryMemory;
  }

  /** Sets the recovery memory budget. */
  public void setMaxRecoveryMemory(DataSize maxRecoveryMemory) {
    this.maxRecoveryMemory = maxRecoveryMemory;
  }

  /** The most calls in flight per connection. */
  public int getMaxCallsInFlight() {
    return maxCallsInFlight;
  }

  /** Sets the most calls in flight per connection. */
  public void setMaxCallsInFlight(int maxCallsInFlight) {
    this.maxCallsInFlight = maxCallsInFlight;
  }

  /** The allowed origins; empty for the server's own origin only. */
  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  /** Sets the allowed origins. */
  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  /** The allowed hosts; empty for any. */
  public List<String> getAllowedHosts() {
    return allowedHosts;
  }

  /** Sets the allowed hosts. */
  public void setAllowedHosts(List<String> allowedHosts) {
    this.allowedHosts = allowedHosts;
  }

  /** Whether compression is offered. */
  public boolean isCompression() {
    return compression;
  }

  /** Sets whether compression is offered. */
  public void setCompression(boolean compression) {
    this.compression = compression;
  }

  /** Whether events are validated before they are sent. */
  public boolean isValidateOutgoing() {
    return validateOutgoing;
  }

  /** Sets whether events are validated before they are sent. */
  public void setValidateOutgoing(boolean validateOutgoing) {
    this.validateOutgoing = validateOutgoing;
  }

  /** The rate limit of each connection's messages. */
  public RateLimit getRateLimit() {
    return rateLimit;
  }

  /** What happens to clients that read too slowly. */
  public SlowConsumer getSlowConsumer() {
    return slowConsumer;
  }

  /** Connection-state recovery. */
  public Recovery getRecovery() {
    return recovery;
  }

  /** The graceful shutdown. */
  public Shutdown getShutdown() {
    return shutdown;
  }

  /** TLS. */
  public Ssl getSsl() {
    return ssl;
  }

  /** {@code zocket.server.rate-limit.*}: a token bucket per connection. */
  public static class RateLimit {
    /** The sustained messages per second of each connection; 0 is no limit. */
    private int messagesPerSecond;

    /** The messages that may arrive at once; at least 1. */
    private int burst = 1;

    /**
     * What happens to a message beyond the rate limit: THROTTLE (the connection is not read from
     * until it is back within the limit) or the other policies of RateLimitPolicy.
     */
    private RateLimitPolicy policy = RateLimitPolicy.THROTTLE;

    /** The sustained messages per second. */
    public int getMessagesPerSecond() {
      return messagesPerSecond;
    }

    /** Sets the sustained messages per second. */
    public void setMessagesPerSecond(int messagesPerSecond) {
      this.messagesPerSecond = messagesPerSecond;
    }

    /** The burst. */
    public int getBurst() {
      return burst;
    }

    /** Sets the burst. */
    public void setBurst(int burst) {
      this.burst = burst;
    }

    /** The policy. */
    public RateLimitPolicy getPolicy() {
      return policy;
    }

    /** Sets the policy. */
    public void setPolicy(RateLimitPolicy policy) {
      this.policy = policy;
    }
  }

  /** {@code zocket.server.slow-consumer.*}: clients that read more slowly than they are sent to. */
  public static class SlowConsumer {
    /** CLOSE (closed with 1013 past the limits) or DROP (events skipped and counted). */
    private SlowConsumerPolicy policy = SlowConsumerPolicy.CLOSE;

    /** The most bytes the server may hold for one connection that is behind. */
    private DataSize maxBacklog = DataSize.ofMegabytes(64);

    /** The longest time a connection may be behind without reading anything. */
    private Duration maxBehind = Duration.ofSeconds(30);

    /** The low water mark of each connection's outbound buffer. */
    private DataSize writeBufferLow = DataSize.ofKilobytes(128);

    /**
     * The high water mark of each connection's outbound buffer: above it the connection is behind.
     */
    private DataSize writeBufferHigh = DataSize.ofKilobytes(256);

    /** The policy. */
    public SlowConsumerPolicy getPolicy() {
      return policy;
    }

    /** Sets the policy. */
    public void setPolicy(SlowConsumerPolicy policy) {
      this.policy = policy;
    }

    /** The most bytes held for one connection that is behind. */
    public DataSize getMaxBacklog() {
      return maxBacklog;
    }

    /** Sets the most bytes held for one connection that is behind. */
    public void setMaxBacklog(DataSize maxBacklog) {
      this.maxBacklog = maxBacklog;
    }

    /** The longest time behind. */
    public Duration getMaxBehind() {
      return maxBehind;
    }

    /** Sets the longest time behind. */
    public void setMaxBehind(Duration maxBehind) {
      this.maxBehind = maxBehind;
    }

    /** The low water mark. */
    public DataSize getWriteBufferLow() {
      return writeBufferLow;
    }

    /** Sets the low water mark. */
    public void setWriteBufferLow(DataSize writeBufferLow) {
      this.writeBufferLow = writeBufferLow;
    }

    /** The high water mark. */
    public DataSize getWriteBufferHigh() {
      return writeBufferHigh;
    }

    /** Sets the high water mark. */
    public void setWriteBufferHigh(DataSize writeBufferHigh) {
      this.writeBufferHigh = writeBufferHigh;
    }
  }

  /** {@code zocket.server.recovery.*}: connection-state recovery (off unless enabled). */
  public static class Recovery {
    /**
     * Whether a dropped connection's session (client id, user context, rooms, missed events) is
     * kept so that a client reconnecting within the window gets it back.
     */
    private boolean enabled;

    /** How long a dropped connection's session is kept; from 1 ms to 1 day. */
    private Duration window = Duration.ofMinutes(2);

    /** The most recent events kept for resuming clients, server-wide. */
    private int maxEvents = 10_000;

    /** Whether recovery is on. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether recovery is on. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** The window. */
    public Duration getWindow() {
      return window;
    }

    /** Sets the window. */
    public void setWindow(Duration window) {
      this.window = window;
    }

    /** The most events kept. */
    public int getMaxEvents() {
      return maxEvents;
    }

    /** Sets the most events kept. */
    public void setMaxEvents(int maxEvents) {
      this.maxEvents = maxEvents;
    }
  }

  /** {@code zocket.server.shutdown.*}: how the server stops with the application context. */
  public static class Shutdown {
    /**
     * How long calls in flight may take to be answered before the connections are closed with 1001;
     * 0 closes at once.
     */
    private Duration gracePeriod = Duration.ofSeconds(5);

    /** How long the shutdown waits for connections to close after the grace period. */
    private Duration timeout = Duration.ofSeconds(10);

    /** The grace period. */
    public Duration getGracePeriod() {
      return gracePeriod;
    }

    /** Sets the grace period. */
    public void setGracePeriod(Duration gracePeriod) {
      this.gracePeriod = gracePeriod;
    }

    /** The timeout. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets the timeout. */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /** {@code zocket.server.ssl.*}: TLS ({@code wss://}) from one of Boot's SSL bundles. */
  public static class Ssl {
    /**
     * The name of the SSL bundle (spring.ssl.bundle.*) whose key and certificate the server uses
     * for wss://; unset serves plain ws://.
     */
    private String bundle;

    /** The bundle's name, or null. */
    public String getBundle() {
      return bundle;
    }

    /** Sets the bundle's name. */
    public void setBundle(String bundle) {
      this.bundle = bundle;
    }
  }
}
