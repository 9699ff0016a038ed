package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.Observers;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The settings of one server and the parts its connections share (codec, dispatcher, registry,
 * emitters, executor), fixed when the server starts: every field is final and set once. What
 * changes while the server runs (counters, budgets, the open sockets and connections) is in its
 * {@link ServerState}. Thread-safe.
 */
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

  /** The sessions under connection-state recovery; null without recovery. */
  final Sessions sessions;

  /** What the server counts and tracks while it runs. */
  final ServerState state;

  /** The server's observers; check {@link Observers#enabled} before measuring for them. */
  final Observers observers;

  private final SecureRandom random = new SecureRandom();

  ServerConfig(
      JsonCodec codec,
      Dispatcher dispatcher,
      ServerState state,
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
      Hardening hardening,
      Sessions sessions,
      Observers observers) {
    this.codec = codec;
    this.dispatcher = dispatcher;
    this.state = state;
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
    this.sessions = sessions;
    this.observers = observers;
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
}
