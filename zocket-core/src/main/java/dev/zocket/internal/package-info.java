/**
 * Zocket's internals, shared by its modules: the protocol's constants ({@link
 * dev.zocket.internal.Protocol}), the contract model ({@link dev.zocket.internal.Contracts}), the
 * JSON codec ({@link dev.zocket.internal.JsonCodec}), the inbound step the server and the client
 * share ({@link dev.zocket.internal.MessageReader}), validation, the transport-independent {@link
 * dev.zocket.internal.Dispatcher} and the transport SPI ({@link dev.zocket.internal.Connection},
 * {@link dev.zocket.internal.Delivery}).
 *
 * <p><b>Not API.</b> Applications must not use this package: it changes without notice between
 * releases, and nothing here is covered by compatibility promises. Use {@code dev.zocket} and the
 * public package of the transport module instead.
 */
package dev.zocket.internal;
