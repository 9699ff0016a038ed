package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.spi.RecoveryStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The sessions of a server with connection-state recovery, and their transitions (see {@link
 * Session}). A session's record (client id, rooms, generation and, when the store is shared with
 * other nodes, the user context as JSON) is saved in the {@link RecoveryStore} while the session is
 * parked; whoever takes the record from the store resumes the session, and whoever removes it at
 * the end of the window ends it, so a session is resumed or ended once even when several nodes or
 * connections race for it. On this node, the session's objects (user context, attributes, rooms)
 * are kept as they are, and used when the record taken is the one this node saved.
 *
 * <p>Threading: any thread. {@code onDisconnect} of an ended session runs on the handler executor.
 */
final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  /**
   * Lines every resume or dropped connection can cause, so clients that reconnect in a loop can
   * repeat them: the store failed.
   */
  private static final RateLimitedLog storeFailures = new RateLimitedLog(log);

  /**
   * How much longer than the window a record stays in the store: the node that parked a session
   * ends it when the window has passed by removing its record, so the record must still be there.
   */
  static final long RECORD_MARGIN_MILLIS = 30_000;

  /**
   * How long a node waits for another node to park the session a client resumes, when its record is
   * not in the shared store yet; and how often it looks meanwhile.
   */
  static final long HANDOVER_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

  static final long HANDOVER_RETRY_MILLIS = 20;

  /**
   * What a parked session costs the room memory budget beyond its rooms and record: its objects on
   * this node (session, token, rooms set, timer).
   */
  static final int PARKED_SESSION_BYTES = 512;

  private final RecoveryStore store;
  private final RoomMemory memory;
  private final SessionRecords records;
  private final long windowMillis;

  /** Whether the store is shared with other nodes, whose records carry the user context. */
  private final boolean portable;

  private final Executor executor;
  private final Consumer<Context<?>> onDisconnect;
  private final SecureRandom random = new SecureRandom();

  /** The sessions attached to or parked on this node, by token. */
  private final Map<String, Session> local = new ConcurrentHashMap<>();

  Sessions(
      RecoveryStore store,
      RoomMemory memory,
      long windowMillis,
      boolean portable,
      ObjectMapper mapper,
      Executor executor,
      Consumer<Context<?>> onDisconnect) {
    this.store = store;
    this.memory = memory;
    this.records = new SessionRecords(mapper, store, memory, portable);
    this.windowMillis = windowMillis;
    this.portable = portable;
    this.executor = executor;
    this.onDisconnect = onDisconnect;
  }

  /** Whether a session is kept after a connection closed with {@code code}. */
  static boolean keeps(int code) {
    // 1006: no close frame (the network); 1001: going away (idle timeout, a page, a shutdown);
    // 1012, 1013, 1014: restart, try again later, bad gateway. Not 1000 or 1005 (a deliberate
    // close), nor a policy the server enforced (1002, 1003, 1007, 1008, 1009, 1011).
    // Liveness.RECONNECTING: a client that gave up on the connection and reconnects to resume.
    return code == 1006
        || code == 1001
        || code == 1012
        || code == 1013
        || code == 1014
        || code == Liveness.RECONNECTING;
  }

  /** Whether a session is parked when its connection closes while the server shuts down. */
  boolean keepsOnShutdown() {
    return portable;
  }

  /**
   * Starts a session for a new connection, at {@code position}: the store's position inside a
   * callback of {@link RecoveryStore#resume}, so that the session is owed no event before it.
   */
  Session start(ServerConnection c, String principal, String position) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Session s = new Session(token, c.clientId(), principal, c);
    s.history = new SessionRooms(store, memory, position, c.rooms().current(), List.of());
    local.put(token, s);
    return s;
  }

  /**
   * The events a resumed session is owed, of those the store kept after {@code position}: what it
   * would have received had it stayed connected (see {@link SessionRooms}). Null when {@code
   * position} is not one this session's client can have received: missing, not the store's, before
   * the session began or after its last connection dropped; the client then starts afresh.
   */
  List<RecoveryStore.Event> replay(Session s, String position, List<RecoveryStore.Event> missed) {
    if (position == null) {
      return null;
    }
    try {
      String parkedAt;
      synchronized (s) {
        parkedAt = s.parkedAt;
      }
      if (parkedAt != null && store.compare(position, parkedAt) > 0) {
        log.debug("Client {} resumed from a position it was never sent", s.clientId);
        return null;
      }
      List<RecoveryStore.Event> replay = s.history.replay(position, missed, s.clientId);
      if (replay == null) {
        log.debug("Client {} resumed from a position before its session began", s.clientId);
      }
      return replay;
    } catch (IllegalArgumentException e) {
      log.debug("Client {} resumed from a position that is not the store's", s.clientId);
      return null;
    }
  }

  /**
   * Claims the session of {@code token} for {@code next}: waits for a connection still attached to
   * it to close (closing it first), then takes its record. Completes with the session, attached to
   * {@code next}, or with null when there is none to resume.
   */
  CompletionStage<Session> claim(String token, String principal, ServerConnection next) {
    Session mine = local.get(token);
    if (mine != null) {
      if (!Objects.equals(mine.principal, principal)) {
        log.debug("A client of another principal presented the session of {}", mine.clientId);
        return done(null);
      }
      ServerConnection old;
      synchronized (mine) {
        old = mine.state == Session.State.ATTACHED ? mine.connection : null;
      }
      if (old != null && old != next) {
        log.debug("Client {} resumes its session: closing its earlier connection", mine.clientId);
        SessionLink.of(old).handOver();
        return mine.detached.thenCompose(
            s -> s == null ? done(null) : take(token, principal, next));
      }
    }
    return take(token, principal, next);
  }

  private CompletionStage<Session> take(String token, String principal, ServerConnection next) {
    return take(token, principal, next, System.nanoTime() + HANDOVER_WAIT_NANOS)
        .exceptionally(
            t -> {
              storeFailures.warn(
                  "Could not take the session of a resuming client from the store", t);
              return null;
            });
  }

  /**
   * Takes the record, or, with a store shared by several nodes, tries again for a little while: the
   * node the client was connected to may not have seen its connection drop yet, and parks the
   * session only once it has (an unknown or expired session waits that long to start afresh).
   */
  private CompletionStage<Session> take(
      String token, String principal, ServerConnection next, long giveUpAt) {
    return store
        .takeSession(token)
        .thenCompose(
            record -> {
              if (record != null) {
                return done(attach(token, record, principal, next));
              }
              // A session parked here the store lacks has been taken by another node (the client
              // moved there): that node parks it again once it notices the drop, so wait for it
              // as for any other node's.
              if (!portable || System.nanoTime() - giveUpAt >= 0) {
                return done(null);
              }
              Executor later =
                  CompletableFuture.delayedExecutor(HANDOVER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
              return CompletableFuture.supplyAsync(() -> token, later)
                  .thenCompose(t -> take(t, principal, next, giveUpAt));
            });
  }

  /** With the record in hand: the session of this node, or one rebuilt from the record. */
  private Session attach(String token, byte[] record, String principal, ServerConnection next) {
    JsonNode r = records.read(record);
    if (r == null) {
      return null;
    }
    if (!Objects.equals(r.path("principal").stringValue(null), principal)) {
      // Not this client's: the record goes back for its own client, for another window.
      log.debug("A client of another principal presented the session of a dropped client");
      store.saveSession(token, record, windowMillis + RECORD_MARGIN_MILLIS);
      return null;
    }
    long generation = r.path("generation").asLong(-1);
    Session mine = local.get(token);
    if (mine != null) {
      synchronized (mine) {
        if (mine.state == Session.State.PARKED && mine.generation == generation) {
          if (mine.expiry != null) {
            mine.expiry.cancel(false);
            mine.expiry = null;
          }
          unpark(mine); // its rooms join the directory again, and count there
          mine.state = Session.State.ATTACHED;
          mine.previous = mine.connection;
          mine.connection = next;
          mine.detached = new CompletableFuture<>();
          return mine;
        }
      }
      forget(mine); // a record of another node's is newer than ours
    }
    Session s = records.rebuild(token, r, next);
    if (s != null) {
      local.put(token, s);
    }
    return s;
  }

  /**
   * Parks the session of a connection that dropped, keeping what the next connection gets back, and
   * saves its record; it ends at the end of the window unless a connection resumes it. On the
   * handler executor, once the connection's messages are handled.
   *
   * <p>A parked session's rooms, record and objects count against the room memory budget, as its
   * connection's memberships did: when the budget has no room for it, the session is not kept.
   *
   * @return false if the session could not be kept: it has ended, and {@code onDisconnect} is the
   *     caller's
   */
  boolean park(Session s, ServerConnection c, Map<String, Object> attributes, String lastPosition) {
    byte[] record;
    synchronized (s) {
      if (s.state != Session.State.ATTACHED || s.connection != c) {
        return true;
      }
      s.state = Session.State.PARKED;
      s.generation++;
      s.user = c.user();
      s.attributes = attributes;
      s.rooms = c.rooms().current();
      // lastPosition is null when no event was delivered since this node started
      s.parkedAt = lastPosition != null ? lastPosition : s.history.horizon();
      record = records.write(s);
      long bytes = PARKED_SESSION_BYTES + record.length;
      for (String room : s.rooms) {
        bytes += Directory.MEMBERSHIP_BYTES + Directory.roomBytes(room);
      }
      if (!memory.reserve(bytes)) {
        s.state = Session.State.ATTACHED; // for end()
        log.debug(
            "Client {} dropped; the server's room memory is full, so its session is not kept",
            s.clientId);
      } else {
        s.parkedBytes = bytes;
        s.expiry = c.eventLoop().schedule(() -> expire(s), windowMillis, TimeUnit.MILLISECONDS);
      }
    }
    if (s.parkedBytes == 0) {
      end(s);
      return false;
    }
    store.saveSession(s.token, record, windowMillis + RECORD_MARGIN_MILLIS);
    log.debug("Client {} dropped; its session is kept for {} ms", s.clientId, windowMillis);
    s.detached.complete(s);
    return true;
  }

  /** Gives back what a parked session held of the room memory budget. Under its lock. */
  private void unpark(Session s) {
    memory.release(s.parkedBytes);
    s.parkedBytes = 0;
  }

  /** Forgets a session that ended or that another node now holds, with what it held. */
  private void forget(Session s) {
    local.remove(s.token, s);
    synchronized (s) {
      unpark(s);
    }
    if (s.history != null) {
      s.history.release();
    }
  }

  /** Ends a session whose connection closed for good; {@code onDisconnect} is the caller's. */
  void end(Session s) {
    synchronized (s) {
      s.state = Session.State.ENDED;
    }
    forget(s);
    store.removeSession(s.token);
    s.detached.complete(null);
  }

  /**
   * Ends a session that was claimed but could not be resumed (the events it missed are no longer
   * kept): {@code onDisconnect} runs for its last connection on this node, if it had one.
   */
  void abandon(Session s) {
    ServerConnection previous;
    synchronized (s) {
      s.state = Session.State.ENDED;
      previous = s.previous;
      s.previous = null;
    }
    forget(s);
    if (previous != null) {
      runOnDisconnect(previous);
    }
  }

  /** The window has passed: the session ends unless another node or connection took it. */
  private void expire(Session s) {
    long generation;
    synchronized (s) {
      if (s.state != Session.State.PARKED) {
        return;
      }
      s.expiry = null;
      generation = s.generation;
    }
    store
        .removeSession(s.token)
        .whenComplete(
            (removed, t) -> {
              ServerConnection last;
              synchronized (s) {
                if (s.state != Session.State.PARKED || s.generation != generation) {
                  return; // resumed here meanwhile
                }
                s.state = Session.State.ENDED;
                last = s.connection;
              }
              forget(s);
              if (Boolean.TRUE.equals(removed)) {
                log.debug("The session of client {} expired", s.clientId);
                runOnDisconnect(last);
              } // else another node resumed it: it ends there
            });
  }

  /**
   * For a shutdown, once the connections have closed: sessions parked here end now, with their
   * {@code onDisconnect}, unless their records serve other nodes.
   */
  void shutdown() {
    List<ServerConnection> ended = new ArrayList<>();
    for (Session s : local.values()) {
      synchronized (s) {
        if (s.expiry != null) {
          s.expiry.cancel(false);
          s.expiry = null;
        }
        if (s.state == Session.State.PARKED && !portable) {
          s.state = Session.State.ENDED;
          ended.add(s.connection);
        }
      }
      forget(s);
    }
    for (ServerConnection c : ended) {
      runOnDisconnect(c);
    }
  }

  private void runOnDisconnect(ServerConnection last) {
    Runnable run =
        () -> {
          try {
            onDisconnect.accept(last);
          } catch (Throwable t) {
            ServerConnection.onDisconnectFailures.error(
                "onDisconnect failed for client {}", last.clientId(), t);
          } finally {
            last.forget();
          }
        };
    try {
      executor.execute(run);
    } catch (RejectedExecutionException e) {
      run.run(); // the server is stopping
    }
  }

  private static CompletionStage<Session> done(Session s) {
    return CompletableFuture.completedFuture(s);
  }
}
