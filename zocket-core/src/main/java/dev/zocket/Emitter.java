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
}
