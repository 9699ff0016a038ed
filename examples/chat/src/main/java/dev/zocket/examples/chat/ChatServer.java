package dev.zocket.examples.chat;

import dev.zocket.netty.Cluster;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.RedisBackplane;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The chat server: the {@link Rooms} contract over WebSocket and the chat page over plain HTTP,
 * both on one port.
 *
 * <pre>{@code
 * try (ChatServer chat = ChatServer.start("127.0.0.1", 3000)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Threading: {@link #port()}, {@link #uri()} and {@link #close()} may be called from any thread.
 */
public final class ChatServer implements AutoCloseable {

  /** The largest message a client may send, in bytes (the server's default). */
  static final int MAX_MESSAGE_BYTES = 65_536;

  /**
   * The most connections of one remote address at once, by default: a browser tab takes one, so
   * this leaves room for a household or an office behind one address, while one machine cannot take
   * every place of the server (the default {@code maxConnections} is 4,096 at {@code -Xmx512m}). A
   * connection beyond it is answered 429. 0 (no limit) behind a proxy, where every client has the
   * proxy's address.
   */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32;

  private final ZocketServer server;

  private ChatServer(ZocketServer server) {
    this.server = server;
  }

  /**
   * Starts a chat server with at most {@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS} connections per
   * remote address; returns once it listens.
   *
   * @param host the address to bind, for example {@code "127.0.0.1"} (this machine only) or {@code
   *     "0.0.0.0"} (every interface)
   * @param port the port, or 0 for any free port
   */
  public static ChatServer start(String host, int port) {
    return start(host, port, null);
  }

  /**
   * Starts a chat server that is one node of a cluster sharing a Redis: rooms, messages, broadcasts
   * and the member lists ({@code rooms.members}) span every node. Returns once it listens.
   *
   * @param host the address to bind, for example {@code "127.0.0.1"} (this machine only) or {@code
   *     "0.0.0.0"} (every interface)
   * @param port the port, or 0 for any free port
   * @param redisUri the Redis to share, for example {@code "redis://127.0.0.1:6379"}; null for a
   *     single server
   */
  public static ChatServer start(String host, int port, String redisUri) {
    return start(host, port, redisUri, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
  }

  /**
   * Starts a chat server, alone or as one node of a cluster sharing a Redis (see {@link
   * #start(String, int, String)}), with its own limit of connections per remote address. Returns
   * once it listens.
   *
   * @param host the address to bind, for example {@code "127.0.0.1"} (this machine only) or {@code
   *     "0.0.0.0"} (every interface)
   * @param port the port, or 0 for any free port
   * @param redisUri the Redis to share; null for a single server
   * @param maxConnectionsPerAddress the most connections of one remote address at once (beyond it a
   *     connection is answered 429), or 0 for no limit (behind a proxy)
   * @throws IllegalArgumentException if {@code maxConnectionsPerAddress} is negative
   */
  public static ChatServer start(
      String host, int port, String redisUri, int maxConnectionsPerAddress) {
    Objects.requireNonNull(host, "host == null");
    var builder = ZocketServer.builder();
    builder.maxConnectionsPerAddress(maxConnectionsPerAddress);
    if (redisUri != null) {
      builder.backplane(RedisBackplane.create(redisUri));
    }
    return new ChatServer(configure(builder).host(host).port(port).start());
  }

  /**
   * Starts a chat server with connection-state recovery (see {@code
   * ZocketServer.Builder#recovery}): a client that reconnects within {@code window} resumes its
   * session, with its rooms, and gets the messages it missed meanwhile, from the server's latest
   * {@code maxEvents}. Otherwise as {@link #start(String, int)}; returns once it listens.
   *
   * @param host the address to bind, for example {@code "127.0.0.1"}
   * @param port the port, or 0 for any free port
   * @param window how long a dropped client's session is kept
   * @param maxEvents the most recent events kept for clients that come back
   * @throws IllegalArgumentException if {@code window} is not from 1 ms to a day, or {@code
   *     maxEvents} is less than 1
   */
  public static ChatServer startWithRecovery(
      String host, int port, Duration window, int maxEvents) {
    Objects.requireNonNull(host, "host == null");
    var builder = ZocketServer.builder();
    builder.maxConnectionsPerAddress(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    return new ChatServer(
        configure(builder).recovery(window, maxEvents).host(host).port(port).start());
  }

  /**
   * Starts a chat server in process, for tests: clients in this JVM reach it at {@link #uri()}
   * ({@code local://...}) through the same protocol, without a socket.
   */
  public static ChatServer startInProcess() {
    return new ChatServer(configure(ZocketServer.builder()).inProcess().start());
  }

  /**
   * The chat server as {@link #start(String, int)} configures it, on a builder that the caller
   * binds and starts: for tests, where {@code ZocketExtension} starts it in process or on a free
   * port.
   */
  public static ZocketServer.Builder<ChatHeaders, User> builder() {
    return configure(
        ZocketServer.builder().maxConnectionsPerAddress(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS));
  }

  private static ZocketServer.Builder<ChatHeaders, User> configure(
      ZocketServer.Builder<Map<String, String>, Void> builder) {
    // region configure
    return builder
        .headers(ChatHeaders.class)
        .onConnect((headers, clientId) -> new User(headers.userName()))
        // What the cluster shows of a member, for rooms.members: its name.
        .presence(User::name)
        .onDisconnect(RoomsHandler::disconnected)
        .handle(Rooms.class, ctx -> new RoomsHandler(ctx, Cluster.of(ctx)))
        // Any string is a room id, as in the seed: only the message size bounds it.
        .maxRoomIdLength(MAX_MESSAGE_BYTES)
        .maxFrameSize(MAX_MESSAGE_BYTES)
        .httpHandler(new WebAssets());
    // endregion configure
  }

  /**
   * The port the server listens on.
   *
   * @throws IllegalStateException for a server {@linkplain #startInProcess() in process}
   */
  public int port() {
    return server.port();
  }

  /** Where clients reach the server: {@code ws://host:port/}, or {@code local://name/}. */
  public URI uri() {
    return server.uri();
  }

  /** Stops the server, closing every connection with 1001 (going away). */
  @Override
  public void close() {
    server.close();
  }
}
