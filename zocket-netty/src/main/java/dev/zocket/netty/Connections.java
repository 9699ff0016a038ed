package dev.zocket.netty;

import io.netty.channel.Channel;

/**
 * Opens the connections of one server once their handshake is done: gives each a client id, its
 * side of connection-state recovery and what every connection shares (the application's parts, the
 * server's state and limits, the directory), and counts it among the live connections until it
 * ends. Thread-safe.
 */
final class Connections {
  private final Application app;
  private final ServerState state;
  private final int maxCallsInFlight;
  private final RoomLimits roomLimits;
  private final Directory directory;
  private final Recovery recovery;
  private final ClientIds ids;

  Connections(
      Application app,
      ServerState state,
      int maxCallsInFlight,
      RoomLimits roomLimits,
      Directory directory,
      Recovery recovery,
      ClientIds ids) {
    this.app = app;
    this.state = state;
    this.maxCallsInFlight = maxCallsInFlight;
    this.roomLimits = roomLimits;
    this.directory = directory;
    this.recovery = recovery;
    this.ids = ids;
  }

  /** The application's parts: dispatcher, handlers' executor, callbacks, emitters, observers. */
  Application app() {
    return app;
  }

  /** The server's state: the live connections, the limits, the drops, the inbound memory. */
  ServerState state() {
    return state;
  }

  /** The calls a connection may have unanswered at once. */
  int maxCallsInFlight() {
    return maxCallsInFlight;
  }

  /** The limits on a connection's rooms. */
  RoomLimits roomLimits() {
    return roomLimits;
  }

  /** Who is connected and in which rooms. */
  Directory directory() {
    return directory;
  }

  /**
   * A new connection on {@code channel}, live from now on; {@link ServerConnection#start} starts
   * it. On the channel's I/O thread, once upgraded.
   *
   * @param writer the writer of the channel's frame stage
   * @param headers the handshake's headers, bound
   * @param resume what the client asked of connection-state recovery
   */
  ServerConnection open(Channel channel, FrameWriter writer, Object headers, Resume resume) {
    ServerConnection c =
        new ServerConnection(this, channel, writer, ids.next(), headers, recovery.link(resume));
    state.live.add(c);
    return c;
  }
}
