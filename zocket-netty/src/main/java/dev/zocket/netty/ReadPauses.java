package dev.zocket.netty;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Why a connection is not read from, and the socket's auto-read that follows: reading pauses while
 * any reason holds and resumes when none is left, so TCP pushes back on the client. A closing
 * connection is read whatever holds it, until the peer's close frame.
 *
 * <p>A layer of the connection's frame stage, above its {@link Heartbeat} (see {@link
 * CloseHandshake} why the stage is layered); the {@link FrameHandler} gives it the server-wide
 * {@link InboundMemory}.
 *
 * <p>Threading: on the connection's I/O thread; other threads hand a pause or a resume over to it.
 */
abstract class ReadPauses extends Heartbeat {
  /** Its outbound buffer is full: the client does not read what it caused. */
  static final int BEHIND = 1;

  /** Too many of its messages wait for their handlers. */
  static final int QUEUE_FULL = 2;

  /** The server is shutting down. */
  static final int DRAINING = 4;

  /** A configured rate limit throttles it. */
  static final int THROTTLED = 8;

  /** The messages waiting on all connections passed the server's budget. */
  static final int INBOUND_MEMORY = 16;

  /** How often a connection paused by the server-wide inbound memory looks whether it may read. */
  private static final long INBOUND_RECHECK_MILLIS = 20;

  /** The reasons reading is paused: {@link #BEHIND}, {@link #QUEUE_FULL}, ... (five bits). */
  private byte pauses;

  /** Looks whether the server-wide inbound memory is back within its budget; set while paused. */
  private ScheduledFuture<?> inboundRecheck;

  /** The bytes of the messages waiting for handlers on all connections, and their budget. */
  abstract InboundMemory inboundMemory();

  /** Pauses reading for a reason until {@link #resume} with it. */
  void pause(int reason) {
    pauses |= reason;
    updateAutoRead();
  }

  /** Takes back a reason to pause reading. */
  void resume(int reason) {
    pauses &= ~reason;
    updateAutoRead();
  }

  /** The connection fell behind or caught up (see {@link FrameWriter}). */
  void behind(boolean behind) {
    if (behind) {
      pause(BEHIND);
    } else {
      resume(BEHIND);
    }
  }

  /**
   * The messages waiting for handlers on all connections passed the server's budget: this one is
   * not read from until the total is back within it.
   */
  void overInboundMemory() {
    if (inboundRecheck != null) {
      return;
    }
    pause(INBOUND_MEMORY);
    recheckInboundMemory();
  }

  private void recheckInboundMemory() {
    inboundRecheck =
        ctx.executor()
            .schedule(
                () -> {
                  if (inboundMemory().over()) {
                    recheckInboundMemory();
                  } else {
                    inboundRecheck = null;
                    resume(INBOUND_MEMORY);
                  }
                },
                INBOUND_RECHECK_MILLIS,
                TimeUnit.MILLISECONDS);
  }

  /** Sets the socket's auto-read from the reasons and the closing handshake. */
  void updateAutoRead() {
    ctx.channel().config().setAutoRead(begun() || pauses == 0);
  }

  /** The channel has closed: nothing is rechecked any more. */
  void stopInboundRecheck() {
    if (inboundRecheck != null) {
      inboundRecheck.cancel(false);
      inboundRecheck = null;
    }
  }
}
