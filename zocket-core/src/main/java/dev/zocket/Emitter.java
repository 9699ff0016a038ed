package dev.zocket;

/**
 * Sends events of one event contract to a chosen set of connections. Choosing the recipients
 * returns the contract's proxy; calling one of its methods sends the event.
 *
 * <pre>{@code
 * server.emit(RoomEvents.class).toRoom("general").onMessage(message);     // a room
 * ctx.emit(RoomEvents.class).except(ctx.clientId()).broadcast().onJoin(j); // all but me
 * }</pre>
 *
 * <p>A message sent to many is validated once (when outgoing validation is on), encoded once, and
 * the same bytes are written to every recipient; a connection that is in two of the target rooms
 * receives it once. Sending is asynchronous: the proxy's method returns once the frame is queued,
 * and an event to a connection that has closed is dropped (delivery is at most once).
 *
 * <p><b>Acknowledged events.</b> An event method that returns {@code CompletableFuture<R>} asks the
 * client for an answer: sent with {@code to(clientId)} to exactly one client, the future completes
 * with the client's answer (an {@code R}, bound and validated as a call's reply is), or fails with
 * a {@link ZocketException} whose code is {@link ErrorCodes#TIMEOUT} (no answer within {@link
 * #ackTimeout}, the method's {@link CallTimeout}, or the server's default), {@link
 * ErrorCodes#DISCONNECTED} (the connection closed first, or no such client is connected), {@link
 * ErrorCodes#UNSUPPORTED} (a client that does not answer acknowledged events, such as a TypeScript
 * Zocket version 1 client), {@link ErrorCodes#LIMIT_EXCEEDED} (too many answers pending), {@link
 * ErrorCodes#INVALID_PAYLOAD} (the answer does not fit {@code R}), or the listener's own error. The
 * future completes on the server's handler executor, never on an I/O thread. An acknowledged event
 * goes to one client only: sending it to rooms, to everyone or to several ids throws {@link
 * IllegalArgumentException} (ask each client with its own emit and combine the futures instead).
 * Acknowledged events are not kept for connection-state recovery: a dropped connection fails them.
 *
 * <pre>{@code
 * server.emit(Prompts.class).to(clientId).confirm(new Question("Delete?"))
 *     .thenAccept(answer -> log.info("{} said {}", clientId, answer.yes()));
 * }</pre>
 *
 * <p>Threading: emitters and their proxies are immutable and may be used from any thread, including
 * handlers and scheduled jobs. Events from one thread to one connection arrive in the order they
 * were sent.
 *
 * @param <E> the event contract
 */
public interface Emitter<E> {
  /**
   * Targets connections by id; unknown ids are skipped.
   *
   * @param clientIds the recipients' ids
   * @return the contract's proxy; calling a method sends the event
   */
  E to(String... clientIds);

  /**
   * Targets every member of the given rooms, each once.
   *
   * @param rooms the room ids
   * @return the contract's proxy; calling a method sends the event
   */
  E toRoom(String... rooms);

  /**
   * Targets every open connection of the server.
   *
   * @return the contract's proxy; calling a method sends the event
   */
  E broadcast();

  /**
   * Returns an emitter that skips the given connections, whatever target is chosen next.
   *
   * @param clientIds the ids to skip
   * @return a new emitter that skips these ids and those this one skips; this emitter when no ids
   *     are given
   */
  Emitter<E> except(String... clientIds);

  /**
   * Returns an emitter whose acknowledged events wait at most {@code timeout} for their answer,
   * overriding the method's {@link CallTimeout} and the server's default; plain events are not
   * affected.
   *
   * @param timeout how long to wait; positive
   * @return a new emitter with this timeout, the same targets skipped as this one
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  Emitter<E> ackTimeout(java.time.Duration timeout);
}
