package dev.zocket;

/**
 * One connection as its handlers see it: who it is, what it carries, which rooms it is in, and how
 * to send from it.
 *
 * <pre>{@code
 * final class RoomsHandler implements Rooms {
 *   private final Context<User> ctx;
 *   RoomsHandler(Context<User> ctx) { this.ctx = ctx; }
 *
 *   public void join(JoinRoom r) {
 *     ctx.rooms().join(r.roomId());
 *     ctx.emit(RoomEvents.class).toRoom(r.roomId()).onJoin(new Joined(r.roomId(), ctx.user().name()));
 *   }
 * }
 * }</pre>
 *
 * <p>Threading: every method may be called from any thread. Handlers of one connection are called
 * one at a time, in message order, so a handler needs no locking to touch its own context.
 *
 * <p>Logging: while a server runs a handler (and its interceptors), the SLF4J MDC holds the
 * connection's client id under {@link #MDC_CLIENT_ID} and the route under {@link #MDC_ROUTE}, so a
 * log pattern can show them ({@code %X{zocket.clientId}}); both are removed when the handler
 * returns. The code an asynchronous handler runs later, on other threads, does not see them.
 *
 * @param <U> the type of the user context built by the server's {@code onConnect}
 */
public interface Context<U> {
  /** The SLF4J MDC key of the client id while a handler runs: {@value}. */
  String MDC_CLIENT_ID = "zocket.clientId";

  /** The SLF4J MDC key of the route while a handler runs: {@value}. */
  String MDC_ROUTE = "zocket.route";

  /**
   * The connection's id.
   *
   * @return the unique, unguessable id assigned at the handshake
   */
  String clientId();

  /**
   * The user context of this connection.
   *
   * @return what the server's {@code onConnect} built for this connection
   */
  U user();

  /**
   * The rooms of this connection.
   *
   * @return the live set of rooms this connection is in
   */
  RoomSet rooms();

  /**
   * A typed emitter for an event (server-to-client) contract.
   *
   * <pre>{@code
   * ctx.emit(RoomEvents.class).except(ctx.clientId()).toRoom("general").onJoin(joined);
   * }</pre>
   *
   * @param events an interface whose methods all return void
   * @param <E> the event contract
   * @return an emitter; choose the recipients on it, then call the event method
   * @throws ContractException if {@code events} breaks a contract rule
   */
  <E> Emitter<E> emit(Class<E> events);

  /**
   * A value an {@link Interceptor} or handler stored on this connection, or null.
   *
   * @param name the attribute's name
   * @return the value, or null if none is stored
   */
  Object attribute(String name);

  /**
   * Stores a value on this connection for later handlers; null removes it.
   *
   * @param name the attribute's name
   * @param value the value, or null to remove
   */
  void attribute(String name, Object value);

  /**
   * Closes the connection with status 1000 (normal closure). Returns immediately; {@code
   * onDisconnect} runs once the connection is closed.
   */
  void close();
}
