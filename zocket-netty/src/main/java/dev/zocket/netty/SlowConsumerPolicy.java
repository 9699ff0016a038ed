package dev.zocket.netty;

/**
 * What a {@link ZocketServer} does with an event for a connection whose outbound buffer is full,
 * that is when the client reads more slowly than events are sent to it. The buffer's bound is set
 * by {@link ZocketServer.Builder#writeBufferWaterMark}; either way the server's memory stays
 * bounded and the delivery to the other connections goes on at full speed.
 *
 * <p>Replies to the client's own calls are never dropped: while its buffer is full the server stops
 * reading from the connection, so a client that does not read cannot make new calls either.
 */
public enum SlowConsumerPolicy {
  /**
   * Skip the event for that connection and count it in {@link ZocketServer#droppedMessages()}; the
   * connection stays open and gets the events sent after its buffer has drained. The default.
   */
  DROP,

  /**
   * Close the connection with status 1008 (policy violation) at the first event that finds its
   * buffer full; the event is dropped and counted. The close frame waits behind what is already
   * buffered; a client that does not read it within 10 seconds is disconnected.
   */
  CLOSE
}
