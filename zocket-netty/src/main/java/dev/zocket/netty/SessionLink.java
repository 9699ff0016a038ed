package dev.zocket.netty;

import dev.zocket.internal.Protocol;
import dev.zocket.spi.RecoveryStore;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's side of connection-state recovery, for a client that asked for it: the session
 * it resumes or starts, and what becomes of that session when the connection ends (see {@link
 * Recovery.Link} for when each step runs). Fields are volatile: the steps run on the I/O thread,
 * the recovery store's delivery and the handler executor in turn.
 */
final class SessionLink implements Recovery.Link {
  private static final Logger log = LoggerFactory.getLogger(SessionLink.class);

  private final SessionRecovery recovery;

  /** What the client asked; its session is dropped from it once it cannot resume. */
  private volatile Resume resume;

  /** The connection, once claimed. */
  private volatile ServerConnection connection;

  /** The session; null until started or resumed, and once it could not be restored. */
  private volatile Session session;

  /** Whether the session is kept when the connection ends (set when the channel closes). */
  private volatile boolean keepSession;

  /**
   * Once the connection left the directory: the position of the last event that could have been
   * delivered to it (null if none was since this node started).
   */
  private volatile String lastPosition;

  /** Whether a newer connection of the same session closed this one. */
  private volatile boolean handedOver;

  /** Whether this connection resumed a session. */
  private volatile boolean recovered;

  SessionLink(SessionRecovery recovery, Resume resume) {
    this.recovery = recovery;
    this.resume = resume;
  }

  /** The link of a connection of a server with recovery whose client asked for it. */
  static SessionLink of(ServerConnection c) {
    return (SessionLink) c.recovery();
  }

  @Override
  public void claim(ServerConnection c) {
    connection = c;
    Resume r = resume;
    if (r.token() == null) {
      c.connectAfresh();
      return;
    }
    recovery
        .sessions
        .claim(r.token(), r.principal(), c)
        .whenComplete(
            (s, t) -> {
              if (s != null) {
                session = s;
                c.resume(s.clientId, s.user, s.attributes);
              } else {
                resume = r.fresh();
                c.connectAfresh();
              }
            });
  }

  /**
   * Registers the connection in the recovery store's order of deliveries (see {@link #resumed}).
   */
  @Override
  public void register(ServerConnection c) {
    Session s = session;
    recovery.store.resume(s == null ? null : resume.position(), missed -> resumed(c, missed));
  }

  /**
   * In the recovery store's order of deliveries: registers the connection and writes, before any
   * later event, the session message and the events the client missed. When those are no longer
   * kept, the session cannot be resumed: it ends and the connection starts afresh.
   */
  private void resumed(ServerConnection c, List<RecoveryStore.Event> missed) {
    Session s = session;
    List<RecoveryStore.Event> replay = missed;
    if (s != null && missed != null) {
      replay = recovery.sessions.replay(s, resume.position(), missed);
    }
    if (s != null && replay == null) {
      log.debug("Client {} cannot resume its session: the events it missed are gone", s.clientId);
      recovery.sessions.abandon(s);
      session = null;
      resume = resume.fresh();
      c.restartAfresh(recovery.ids.next());
      return;
    }
    String position;
    if (s == null) {
      position = recovery.store.position();
      s = recovery.sessions.start(c, resume.principal(), position);
      session = s;
    } else {
      synchronized (s) {
        s.previous = null; // resumed: its earlier connection has ended for good
      }
      c.restoreRooms(s.rooms);
      recovered = true;
      position = resume.position();
    }
    recovery.directory.add(c);
    ByteBuf first = recovery.sessionFrame(c.alloc(), s.token, position, recovered);
    List<ByteBuf> frames = new ArrayList<>(replay.size());
    for (RecoveryStore.Event e : replay) {
      frames.add(TextFrames.of(c.alloc(), Protocol.withPosition(e.text(), e.position())));
    }
    c.openAfter(first, frames);
  }

  @Override
  public boolean resumed() {
    return recovered;
  }

  @Override
  public void closed(int code) {
    keepSession = session != null && (handedOver || Sessions.keeps(code));
    lastPosition = recovery.lastStarted(); // no later event can have reached it
  }

  @Override
  public boolean park(ServerConnection c, boolean shuttingDown) {
    Session s = session;
    if (s == null) {
      return false;
    }
    if (keepSession && (!shuttingDown || recovery.sessions.keepsOnShutdown())) {
      return recovery.sessions.park(s, c, c.attributesSnapshot(), lastPosition);
    }
    recovery.sessions.end(s);
    return false;
  }

  @Override
  public void failed() {
    Session s = session;
    if (s != null) {
      session = null;
      recovery.sessions.abandon(s); // a resumed session that could not be restored ends here
    }
  }

  @Override
  public String beforeJoin() {
    return recovery.lastDelivered();
  }

  @Override
  public void joined(String room, String mark) {
    Session s = session;
    if (s != null) {
      s.history.joined(room, mark);
    }
  }

  @Override
  public void left(String room) {
    Session s = session;
    if (s != null) {
      s.history.left(room, recovery.lastStarted());
    }
  }

  /**
   * A newer connection resumes this one's session: closes this one at once with {@link
   * Protocol#TAKEN_OVER}, without waiting for the peer's answer (its client has most likely gone;
   * one still there reads the code and does not reconnect), keeping the session for the newer one.
   * Any thread.
   */
  void handOver() {
    handedOver = true;
    connection.closeAtOnce(Protocol.TAKEN_OVER, "Session resumed by another connection");
  }
}
