package dev.zocket.spi;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Where a server with connection-state recovery keeps its recent events and the sessions of dropped
 * connections, and the one order in which its events are delivered: an event gets its position from
 * the store, and every node delivers every event in the order of positions, so that "every event
 * after position P" means the same thing to every connection.
 *
 * <p>A server without a backplane uses an in-memory store of its own; a {@link Backplane} that
 * supports recovery across nodes returns one from {@link Backplane#recoveryStore} (zocket-redis
 * keeps events in a Redis stream and sessions in keys with a time to live). Applications do not
 * implement or call this interface.
 *
 * <h2>Lifecycle and threading</h2>
 *
 * The server calls {@link #start} once as it starts, then the other methods from any thread,
 * concurrently, then {@link #close} once. {@link #append}, {@link #resume}, {@link #saveSession},
 * {@link #takeSession} and {@link #removeSession} return at once. {@link Log#deliver} and the
 * callbacks of {@link #resume} are made one at a time, in the order of positions, by the store's
 * thread of delivery (or under its lock): a callback of {@code resume} sees every event up to a
 * position, and every event after it is delivered through {@link Log#deliver} after the callback
 * has returned.
 */
public interface RecoveryStore extends AutoCloseable {
  /**
   * Starts the store. May block (for example to connect).
   *
   * @param log where this node's server delivers the events, in the order of their positions
   */
  void start(Log log);

  /**
   * Appends an event: the store gives it the next position, keeps it, and has every node deliver it
   * through {@link Log#deliver}, this one included.
   *
   * @param target the recipients
   * @param text the event's JSON text without its position; must not be changed afterwards
   */
  void append(Target target, byte[] text);

  /**
   * Calls {@code resume}, in the order of deliveries, with the events after {@code position} the
   * store still keeps, oldest first; or with null when some event after it is no longer kept, or
   * the position is not one of this store's. A null position asks for no events: {@code resume} is
   * called with an empty list, at the store's latest position (see {@link #position}).
   *
   * @param position the last position a client received, or null
   * @param resume called once with the events, or null
   */
  void resume(String position, Consumer<List<Event>> resume);

  /**
   * The position of the last event appended and delivered here, for a session that starts now. Only
   * valid inside a callback of {@link #resume} (or of {@link Log#deliver}), where it is the
   * position every later event comes after.
   *
   * @return the position, never null
   */
  String position();

  /**
   * Compares two positions in the order of deliveries.
   *
   * @param a a position
   * @param b another position
   * @return negative, zero or positive as {@code a} comes before, is, or comes after {@code b}
   * @throws IllegalArgumentException if either is not a position of this store's form (a client
   *     sends positions, so they are checked here)
   */
  int compare(String a, String b);

  /**
   * Keeps a dropped connection's session for others nodes to take, for {@code ttlMillis}.
   *
   * @param token the session's secret token
   * @param record the session, as the server encoded it
   * @param ttlMillis how long to keep it
   */
  void saveSession(String token, byte[] record, long ttlMillis);

  /**
   * Takes a session saved by {@link #saveSession}, removing it, so that only one connection resumes
   * it.
   *
   * @param token the session's secret token
   * @return the record, or null when there is none (never saved, taken, or expired)
   */
  CompletionStage<byte[]> takeSession(String token);

  /**
   * Removes a saved session, if it is still there.
   *
   * @param token the session's secret token
   * @return completes with whether the session was there (and is now removed)
   */
  CompletionStage<Boolean> removeSession(String token);

  /** Stops the store. May block. */
  @Override
  void close();

  /** The server's side of a store: delivery of events to this node's connections. */
  interface Log {
    /**
     * Delivers an event to this node's recipients of its target.
     *
     * <p>Threading: one call at a time, in the order of positions; must not block.
     *
     * @param event the event with its position
     */
    void deliver(Event event);
  }

  /**
   * An event as the store keeps it.
   *
   * @param position its position, unique in the store
   * @param target its recipients
   * @param text its JSON text, without its position
   */
  record Event(String position, Target target, byte[] text) {
    /** Checks the arguments. */
    public Event {
      Objects.requireNonNull(position, "position == null");
      Objects.requireNonNull(target, "target == null");
      Objects.requireNonNull(text, "text == null");
    }
  }
}
