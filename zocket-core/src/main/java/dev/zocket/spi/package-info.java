/**
 * Zocket's service-provider interfaces: what a module implements to plug into a Zocket server, as
 * opposed to {@code dev.zocket}, which handlers and applications call.
 *
 * <p>{@link dev.zocket.spi.Backplane} carries room, broadcast and to-client events between the
 * nodes of a cluster of servers; {@code zocket-redis} implements it over Redis pub/sub. Without a
 * backplane a server delivers events to its own connections only, through its in-process registry.
 *
 * <p>{@link dev.zocket.spi.ZocketObserver} listens to what a server does (connections, messages,
 * events, drops, the backplane), for metrics; {@code zocket-micrometer} implements it with
 * Micrometer meters.
 */
package dev.zocket.spi;
