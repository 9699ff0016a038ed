/**
 * Zocket's public core API: the contract annotations ({@link dev.zocket.Namespace}, {@link
 * dev.zocket.Route}, {@link dev.zocket.CallTimeout}, {@link dev.zocket.NonBlocking}), the
 * connection view handlers get ({@link dev.zocket.Context}, {@link dev.zocket.RoomSet}, {@link
 * dev.zocket.Emitter}), interceptors, JSON limits and the exception root {@link
 * dev.zocket.ZocketException}.
 *
 * <p>A contract is a plain interface. Each method takes one payload (a record, or a JSON-friendly
 * type) or none; a void method is a fire-and-forget message, any other return type is a call whose
 * reply is the returned value ({@code CompletableFuture<T>} and {@code CompletionStage<T>} are
 * answered when they complete). Event contracts (server to client) have only void methods.
 */
package dev.zocket;
