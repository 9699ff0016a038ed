package dev.zocket.netty;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.time.Duration;

/**
 * One connection's liveness: a single timer (one entry of its I/O thread's {@link HeartbeatTimers})
 * that ends a socket which has not sent a whole HTTP request within the handshake timeout (each
 * request of a kept-alive one, however slowly it drips) or made no progress for the idle timeout,
 * and pings an upgraded one that made none for a ping interval (however much the server writes to
 * it: a client that only receives answers the ping, and its pong is what keeps it from the idle
 * timeout); and the answers to the peer's pings, one pong at a time: pings that arrive while a pong
 * is still being written are answered once, with the latest one's data. How a timed-out socket is
 * closed is the {@link FrameHandler}'s. Everything stops once the closing handshake begins (the
 * close timeout takes over) or the channel closes.
 *
 * <p><b>Progress</b>: before the upgrade, any bytes read (the handshake timeout bounds a request
 * that drips); once upgraded, only a frame that has arrived whole: a message, the first fragment of
 * a fragmented one, a ping, a pong or a close. While a fragmented message is under way only its
 * last fragment counts, control frames in between do not. The bytes of an unfinished frame never
 * count, so a frame, or a fragmented message, that is dribbled for ever is cut at the idle timeout
 * however much of it arrives.
 *
 * <p>A layer of the connection's frame stage, above its {@link CloseHandshake} (see there why the
 * stage is layered): the {@link FrameHandler} gives it the server's {@link Timing} and is told of
 * timeouts; the I/O thread's {@link HeartbeatTimers} keep its timer.
 *
 * <p>Threading: on the connection's I/O thread only; the timer fires there too.
 */
abstract class Heartbeat extends CloseHandshake {
  /**
   * The durations of a server's heartbeat. Immutable.
   *
   * @param handshakeTimeout how long a socket may take to send a whole HTTP request
   * @param idleTimeout how long an upgraded socket may make no progress; zero for no limit
   * @param pingInterval how long an upgraded socket may make no progress before it is pinged; zero
   *     for no pings
   */
  record Timing(Duration handshakeTimeout, Duration idleTimeout, Duration pingInterval) {}

  /** This heartbeat's place in its I/O thread's {@link HeartbeatTimers}, -1 while not scheduled. */
  int slot = -1;

  /** When the timer is due ({@code nanoTime}), while scheduled; the timers' to keep. */
  long due;

  /** When the peer last made progress ({@code nanoTime}). */
  private long lastRead;

  /**
   * Until upgraded, when the HTTP request under way must be complete; once upgraded, when the ping
   * interval last began ({@code nanoTime}). One field for both, as the second begins when the first
   * ends: no ping goes to a socket that is not upgraded.
   */
  private long requestDeadlineOrLastPing;

  /** Whether the read under way brought progress, which {@link #markRead} then dates. */
  private boolean progressed;

  /** Whether the connection was upgraded: no request is due any more, and pings go out. */
  private boolean upgraded;

  /** Whether a fragmented message is under way: until its last fragment, nothing is progress. */
  private boolean messageUnderWay;

  /** A pong is being written; {@link #nextPong} holds the data of the latest ping since. */
  private boolean pongInFlight;

  private ByteBuf nextPong;

  /** The durations of the server's heartbeat. */
  abstract Timing timing();

  /** The HTTP request under way took longer than the handshake timeout. */
  abstract void requestTimedOut();

  /** The peer made no progress for the idle timeout (see above). */
  abstract void idleTimedOut();

  /** When the socket has become active (and was admitted): starts the timer. */
  void startHeartbeat() {
    lastRead = System.nanoTime();
    requestAnswered(); // the first request's deadline
    schedule(lastRead);
  }

  /**
   * A read from the socket is complete: its bytes are progress until the upgrade, its whole frames
   * after it (see above). The clock is read here, once per read, not once per frame.
   */
  void markRead() {
    if (!upgraded || progressed) {
      progressed = false;
      lastRead = System.nanoTime();
    }
  }

  /** A whole message arrived, unfragmented or the last fragment of one: progress. */
  void messageArrived() {
    messageUnderWay = false;
    progressed = true;
  }

  /**
   * The first fragment of a message arrived: progress, and until its last fragment nothing else is.
   */
  void messageBegun() {
    messageUnderWay = true;
    progressed = true;
  }

  /**
   * A ping, a pong or a close frame arrived: progress, unless a fragmented message is under way.
   */
  void controlArrived() {
    if (!messageUnderWay) {
      progressed = true;
    }
  }

  /** A plain HTTP request was answered: the next one is due within the handshake timeout. */
  void requestAnswered() {
    requestDeadlineOrLastPing = System.nanoTime() + timing().handshakeTimeout().toNanos();
  }

  /**
   * The connection was upgraded: no request is due any more, and it is pinged when silent, the
   * first ping interval beginning now. The timer, set for the request's deadline, is set again.
   */
  void startPinging() {
    upgraded = true;
    long now = System.nanoTime();
    requestDeadlineOrLastPing = now;
    if (slot >= 0) {
      HeartbeatTimers.of(ctx.executor()).cancel(this);
      schedule(now);
    }
  }

  private void schedule(long now) {
    long idle = timing().idleTimeout().toNanos();
    long ping = timing().pingInterval().toNanos();
    long next = upgraded ? Long.MAX_VALUE : requestDeadlineOrLastPing;
    if (idle > 0) {
      next = Math.min(next, lastRead + idle);
    }
    if (upgraded && ping > 0) {
      next = Math.min(next, Math.max(lastRead, requestDeadlineOrLastPing) + ping);
    }
    if (next != Long.MAX_VALUE) {
      HeartbeatTimers.of(ctx.executor()).schedule(this, next, now);
    }
  }

  /** The timer, by {@link HeartbeatTimers} once it is due; {@code now} as they read it. */
  void fire(long now) {
    if (!ctx.channel().isActive() || begun()) {
      return;
    }
    if (!upgraded && now - requestDeadlineOrLastPing >= 0) {
      requestTimedOut();
      return;
    }
    long idle = timing().idleTimeout().toNanos();
    if (idle > 0 && now - lastRead >= idle) {
      idleTimedOut();
      return;
    }
    long ping = timing().pingInterval().toNanos();
    if (upgraded && ping > 0 && now - Math.max(lastRead, requestDeadlineOrLastPing) >= ping) {
      requestDeadlineOrLastPing = now;
      // Liveness is what the client sends: one that only receives is pinged, so its pong counts.
      ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
    }
    schedule(now);
  }

  /** Answers a ping from the peer, whose data the caller keeps. */
  void answerPing(ByteBuf data) {
    if (begun()) {
      return;
    }
    if (pongInFlight) {
      if (nextPong != null) {
        nextPong.release();
      }
      nextPong = data.retain();
      return;
    }
    pong(data.retain());
  }

  private void pong(ByteBuf data) {
    pongInFlight = true;
    ctx.writeAndFlush(new PongWebSocketFrame(data))
        .addListener(
            f -> {
              pongInFlight = false;
              ByteBuf next = nextPong;
              nextPong = null;
              if (next != null) {
                if (begun() || !ctx.channel().isActive()) {
                  next.release();
                } else {
                  pong(next);
                }
              }
            });
  }

  /** The channel has closed: stops the timer and releases what waits. */
  void stopHeartbeat() {
    if (slot >= 0) {
      HeartbeatTimers.of(ctx.executor()).cancel(this);
    }
    releaseNextPong();
  }

  /** Releases the data of a ping still to be answered: at the close, or once closing has begun. */
  void releaseNextPong() {
    if (nextPong != null) {
      nextPong.release();
      nextPong = null;
    }
  }
}
