package dev.zocket.netty;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;

/**
 * The protective settings of one server: limits, policies, TLS and compression. Immutable.
 *
 * @param sslContext the server's TLS context, or null for plain {@code ws://}
 * @param compression whether permessage-deflate is offered
 * @param hostAndOrigin the {@code Host} and {@code Origin} a handshake may name
 * @param maxConnections the most sockets (upgraded or not) at once
 * @param maxConnectionsPerAddress the most sockets of one remote address, or 0 for no limit
 * @param handshakeTimeout how long a socket may take to send a whole HTTP request
 * @param maxRoomsPerConnection the most rooms one connection may be in
 * @param maxRoomIdLength the longest room id, in characters
 * @param messagesPerSecond the sustained rate of incoming messages per connection; 0 for no limit
 * @param messageBurst the messages a connection may send at once above the rate
 * @param rateLimitPolicy what happens beyond the rate
 * @param maxCallsInFlight the most calls of one connection received and not yet answered
 * @param slowConsumerPolicy what happens to a connection that falls behind
 * @param writeBufferLow the outbound bytes below which a full connection becomes writable again
 * @param writeBufferHigh the outbound bytes above which a connection is full
 * @param maxBacklogBytes the most bytes waiting in a connection's backlog, beyond Netty's buffer
 * @param maxBacklogTime the longest a connection may stay behind
 * @param maxBacklogMemory the most bytes all backlogs may hold together
 * @param maxInboundMemory the bytes of messages queued for handlers, server-wide, above which a
 *     connection that adds to them is not read from until its own queue has drained
 * @param gracePeriod how long a shutdown waits for calls in flight
 */
record Hardening(
    SslContext sslContext,
    boolean compression,
    HostAndOrigin hostAndOrigin,
    int maxConnections,
    int maxConnectionsPerAddress,
    Duration handshakeTimeout,
    int maxRoomsPerConnection,
    int maxRoomIdLength,
    int messagesPerSecond,
    int messageBurst,
    RateLimitPolicy rateLimitPolicy,
    int maxCallsInFlight,
    SlowConsumerPolicy slowConsumerPolicy,
    int writeBufferLow,
    int writeBufferHigh,
    int maxBacklogBytes,
    Duration maxBacklogTime,
    long maxBacklogMemory,
    long maxInboundMemory,
    Duration gracePeriod) {

  /** Messages queued for the handlers of one connection above which it is not read from. */
  static final int MAX_QUEUED_MESSAGES = 1024;

  /**
   * Bytes of messages queued for the handlers of one connection above which it is not read from.
   */
  static final long MAX_QUEUED_BYTES = 1 << 20;
}
