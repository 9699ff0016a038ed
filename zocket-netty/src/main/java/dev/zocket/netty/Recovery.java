package dev.zocket.netty;

import dev.zocket.internal.Delivery;
import dev.zocket.spi.RecoveryStore;

/**
 * Connection-state recovery as the rest of the server sees it: where events go, and the few points
 * of a connection's life where recovery has a say (see {@link Link}). A server built without {@link
 * ZocketServer.Builder#recovery} uses {@link NoRecovery}, so none of the sessions', the positions'
 * or the replays' code runs; one built with it uses {@link SessionRecovery}.
 */
sealed interface Recovery permits NoRecovery, SessionRecovery {
  /**
   * Where the server's events go: straight to the {@link Fanout}, or numbered by the recovery store
   * first, which then delivers them in its order.
   */
  Delivery events();

  /** Starts the recovery store, before the server accepts connections. */
  void start();

  /**
   * For a shutdown, once every connection has closed: ends the sessions parked on this node (unless
   * their records serve other nodes) and closes the store.
   */
  void close();

  /** The recovery store, or null without recovery; for tests. */
  RecoveryStore store();

  /** A new connection's side of recovery, from what its client asked in the handshake. */
  Link link(Resume resume);

  /**
   * One connection's side of recovery, which {@link ServerConnection} calls at the named points of
   * its life; each method states its thread.
   */
  sealed interface Link permits NoRecovery.Off, SessionLink {
    /**
     * On the I/O thread, once upgraded: claims the session the client resumes and continues with
     * {@link ServerConnection#resume}, or with {@link ServerConnection#connectAfresh} when there is
     * none.
     */
    void claim(ServerConnection c);

    /**
     * On the I/O thread, once the handlers exist and the socket is open: registers the connection
     * in the directory, writes what the client is owed before any event (the session message and
     * the events it missed), then opens it ({@link ServerConnection#opened}). When the session can
     * no longer be resumed after all, starts the connection afresh instead ({@link
     * ServerConnection#restartAfresh}).
     */
    void register(ServerConnection c);

    /** Whether the connection resumed a session. Any thread. */
    boolean resumed();

    /**
     * On the I/O thread: the connection left the directory, having closed with {@code code} (1006
     * when its socket closed before it opened); no later event can reach it.
     */
    void closed(int code);

    /**
     * On the handler executor, once every message of the closed connection was handled: keeps its
     * session for the client to resume, or ends it.
     *
     * @param shuttingDown whether the server is shutting down
     * @return true if the session is kept: the connection's end waits for the session's, and {@code
     *     onDisconnect} is not run now
     */
    boolean park(ServerConnection c, boolean shuttingDown);

    /**
     * A connection whose {@code onConnect} failed ends here, and the session it resumed with it.
     */
    void failed();

    /**
     * Before a room is joined: a mark to pass to {@link #joined} (null without recovery). Under the
     * connection's rooms' lock.
     */
    String beforeJoin();

    /** A room was joined after {@link #beforeJoin} returned {@code mark}; under the same lock. */
    void joined(String room, String mark);

    /** A room was left; under the connection's rooms' lock. */
    void left(String room);
  }
}
