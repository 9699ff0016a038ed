/**
 * Zocket's Java client: {@link dev.zocket.client.ZocketClient} turns the same contract interfaces
 * the server implements into proxies over one WebSocket connection, delivers the server's events to
 * listeners, times out calls and reconnects with backoff.
 *
 * <p>The public API is {@link dev.zocket.client.ZocketClient} with its builder, {@link
 * dev.zocket.client.ReconnectPolicy}, {@link dev.zocket.client.WhileDisconnected} and {@link
 * dev.zocket.client.HandshakeRejectedException}; every other class here is internal. Threads,
 * connection states and the order of callbacks are described on {@link
 * dev.zocket.client.ZocketClient}.
 */
package dev.zocket.client;
