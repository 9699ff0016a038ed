package dev.zocket.netty;

import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.Observers;
import java.time.Duration;

/** Interim: what the pipeline stages read. */
final class ServerConfig {
  final JsonCodec codec;
  final Dispatcher dispatcher;
  final Connections connections;
  final HandshakeHeaders headers;
  final Authenticator authenticator;
  final HttpHandler httpHandler;
  final String path;
  final int maxFrameSize;
  final Duration idleTimeout;
  final Duration pingInterval;
  final Hardening hardening;
  final ServerState state;
  final Observers observers;

  ServerConfig(
      JsonCodec codec,
      Dispatcher dispatcher,
      Connections connections,
      HandshakeHeaders headers,
      Authenticator authenticator,
      HttpHandler httpHandler,
      String path,
      int maxFrameSize,
      Duration idleTimeout,
      Duration pingInterval,
      Hardening hardening,
      ServerState state,
      Observers observers) {
    this.codec = codec;
    this.dispatcher = dispatcher;
    this.connections = connections;
    this.headers = headers;
    this.authenticator = authenticator;
    this.httpHandler = httpHandler;
    this.path = path;
    this.maxFrameSize = maxFrameSize;
    this.idleTimeout = idleTimeout;
    this.pingInterval = pingInterval;
    this.hardening = hardening;
    this.state = state;
    this.observers = observers;
  }
}
