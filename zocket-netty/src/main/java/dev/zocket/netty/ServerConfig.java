package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.Drops;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.JsonCodec;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** The settings and shared parts of one running server. Thread-safe. */
final class ServerConfig {
  final JsonCodec codec;
  final Dispatcher dispatcher;
  final EventEmitters emitters;
  final LocalRegistry registry;
  final HandshakeHeaders headers;
  final Executor executor;
  final BiFunction<Object, String, CompletionStage<?>> onConnect;
  final Consumer<Context<?>> onDisconnect;
  final Authenticator authenticator;
  final HttpHandler httpHandler;

  /** The WebSocket path, or null for any path. */
  final String path;

  final int maxFrameSize;
  final Duration idleTimeout;
  final Duration pingInterval;

  /** Empty, or a backplane's node id and a dot. */
  final String clientIdPrefix;

  /** Limits, policies, TLS and compression. */
  final Hardening hardening;

  /** The messages dropped, by reason. */
  final Drops drops;

  /**
   * The bytes of the messages queued for handlers on every connection (added without contention).
   */
  final LongAdder inboundMemory = new LongAdder();

  /** The bytes all backlogs hold together and the connections that are behind. */
  final BacklogBudget backlogs;

  /** Connections closed for being slow consumers. */
  final LongAdder slowConsumersClosed = new LongAdder();

  /** Every open socket, counted against the connection limits. */
  final Admission admission;

  /** Every accepted channel, upgraded or not, for shutdown. */
  final ChannelGroup channels = new DefaultChannelGroup("zocket", GlobalEventExecutor.INSTANCE);

  /** Every upgraded connection whose end ({@code onDisconnect}) has not run yet. */
  final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();

  private final SecureRandom random = new SecureRandom();
  private volatile boolean closing;

  ServerConfig(
      JsonCodec codec,
      Dispatcher dispatcher,
      Drops drops,
      EventEmitters emitters,
      LocalRegistry registry,
      HandshakeHeaders headers,
      Executor executor,
      BiFunction<Object, String, CompletionStage<?>> onConnect,
      Consumer<Context<?>> onDisconnect,
      Authenticator authenticator,
      HttpHandler httpHandler,
      String path,
      int maxFrameSize,
      Duration idleTimeout,
      Duration pingInterval,
      String clientIdPrefix,
      Hardening hardening) {
    this.codec = codec;
    this.dispatcher = dispatcher;
    this.drops = drops;
    this.emitters = emitters;
    this.registry = registry;
    this.headers = headers;
    this.executor = executor;
    this.onConnect = onConnect;
    this.onDisconnect = onDisconnect;
    this.authenticator = authenticator;
    this.httpHandler = httpHandler;
    this.path = path;
    this.maxFrameSize = maxFrameSize;
    this.idleTimeout = idleTimeout;
    this.pingInterval = pingInterval;
    this.clientIdPrefix = clientIdPrefix;
    this.hardening = hardening;
    this.backlogs = new BacklogBudget(hardening.maxBacklogMemory());
    this.admission =
        new Admission(hardening.maxConnections(), hardening.maxConnectionsPerAddress());
  }

  /**
   * A new client id: 128 random bits, base64url without padding (22 characters), after the
   * backplane's node id and a dot when there is a backplane.
   */
  String newClientId() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return clientIdPrefix.isEmpty() ? id : clientIdPrefix + id;
  }

  /** Whether the server is shutting down. */
  boolean closing() {
    return closing;
  }

  /** Refuses new connections from now on (they are closed with 1001 once upgraded). */
  void stopAccepting() {
    closing = true;
  }

  /**
   * Closes every channel, upgraded ones with 1001, and returns the futures that complete when each
   * connection has ended.
   */
  List<CompletableFuture<Void>> closeAll() {
    closing = true;
    for (Channel ch : channels) {
      FrameHandler frames = ch.pipeline().get(FrameHandler.class);
      ServerConnection c = frames == null ? null : frames.connection();
      if (c != null) {
        c.goAway();
      } else {
        ch.close();
      }
    }
    List<CompletableFuture<Void>> ends = new ArrayList<>();
    for (ServerConnection c : live) {
      ends.add(c.terminated());
    }
    return ends;
  }
}
