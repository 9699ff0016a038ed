package dev.zocket.netty;

/**
 * What a {@link ZocketServer} does with a connection that reads more slowly than events are sent to
 * it. Events and replies the client is not ready for wait in a backlog of the connection, after
 * Netty's outbound buffer; while anything waits the connection is "behind", what both hold for it
 * counts against the limits, and the server does not read from it, so a client that does not read
 * cannot make the server answer more (replies, pongs). Either way the server's memory stays bounded
 * and the delivery to the other connections goes on at full speed. See {@link
 * ZocketServer.Builder#slowConsumerLimits} for the bounds.
 */
public enum SlowConsumerPolicy {
  /**
   * Close the connection with status 1013 (try again later) when what the server holds for it
   * passes the byte limit or the server-wide budget's rule, or it stays behind for the time limit;
   * the backlog is released, so the close frame is the next thing the client reads after what Netty
   * holds, and the client knows to reconnect (while the server-wide budget is passed, the socket is
   * closed at once instead, releasing what Netty holds). Nothing is dropped while the connection
   * stays open. The default.
   */
  CLOSE,

  /**
   * For lossy streams: skip events for a connection while it is behind, and count each in {@link
   * ZocketServer#droppedMessages(dev.zocket.DropReason)} under {@link
   * dev.zocket.DropReason#SLOW_CONSUMER}; the connection stays open and gets the events sent after
   * it has caught up. Replies are never dropped.
   */
  DROP
}
