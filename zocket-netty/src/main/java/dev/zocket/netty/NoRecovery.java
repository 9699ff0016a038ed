package dev.zocket.netty;

import dev.zocket.internal.Delivery;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.Protocol;
import dev.zocket.spi.RecoveryStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server without connection-state recovery: events go straight to the {@link Fanout}, and a
 * connection is registered as it opens. A client that asked for recovery is told first that there
 * is none (a {@code __session} message without a token), so it does not wait for one. Thread-safe.
 */
final class NoRecovery implements Recovery {
  private final Fanout fanout;

  private final Off asked;
  private final Off notAsked;

  NoRecovery(Fanout fanout, Directory directory, EnvelopeWriter writer) {
    this.fanout = fanout;
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put(Protocol.SESSION, null);
    payload.put(Protocol.POSITION, null);
    payload.put(Protocol.RECOVERED, false);
    this.asked = new Off(directory, writer.encodeEvent(Protocol.SESSION_TYPE, payload, true));
    this.notAsked = new Off(directory, null);
  }

  @Override
  public Delivery events() {
    return fanout;
  }

  @Override
  public void start() {}

  @Override
  public void close() {}

  @Override
  public RecoveryStore store() {
    return null;
  }

  @Override
  public Link link(Resume resume) {
    return resume.asked() ? asked : notAsked;
  }

  /**
   * A connection without recovery: of a server without it, or of a client that did not ask for it.
   * Shared by such connections, as it holds nothing of theirs.
   */
  static final class Off implements Link {
    private final Directory directory;

    /** The {@code __session} message that tells a client there is no recovery; null for none. */
    private final byte[] noSession;

    Off(Directory directory, byte[] noSession) {
      this.directory = directory;
      this.noSession = noSession;
    }

    @Override
    public void claim(ServerConnection c) {
      c.connectAfresh();
    }

    @Override
    public void register(ServerConnection c) {
      directory.add(c);
      if (noSession != null) {
        c.writeFirst(TextFrames.of(c.alloc(), noSession));
      }
      c.opened();
    }

    @Override
    public boolean resumed() {
      return false;
    }

    @Override
    public void closed(int code) {}

    @Override
    public boolean park(ServerConnection c, boolean shuttingDown) {
      return false;
    }

    @Override
    public void failed() {}

    @Override
    public String beforeJoin() {
      return null;
    }

    @Override
    public void joined(String room, String mark) {}

    @Override
    public void left(String room) {}
  }
}
