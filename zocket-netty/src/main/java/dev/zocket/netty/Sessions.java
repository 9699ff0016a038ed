package dev.zocket.netty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zocket.Context;
import dev.zocket.LogSafe;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.spi.RecoveryStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
   * repeat them: the store failed or holds what cannot be read, a user context cannot be written.
   */
  private static final RateLimitedLog storeFailures = new RateLimitedLog(log);

  private static final RateLimitedLog unreadableRecords = new RateLimitedLog(log);

  private static final RateLimitedLog unwritableUsers = new RateLimitedLog(log);

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

  private final RecoveryStore store;
  private final long windowMillis;

  /** Whether records carry the user context, for other nodes. */
  private final boolean portable;

  private final ObjectMapper mapper;
  private final Executor executor;
  private final Consumer<Context<?>> onDisconnect;
  private final SecureRandom random = new SecureRandom();

  /** The sessions attached to or parked on this node, by token. */
  private final Map<String, Session> local = new ConcurrentHashMap<>();

  Sessions(
      RecoveryStore store,
      long windowMillis,
      boolean portable,
      ObjectMapper mapper,
      Executor executor,
      Consumer<Context<?>> onDisconnect) {
    this.store = store;
    this.windowMillis = windowMillis;
    this.portable = portable;
    this.mapper = mapper;
    this.executor = executor;
    this.onDisconnect = onDisconnect;
  }

  RecoveryStore store() {
    return store;
  }

  /** Whether a session is kept after a connection closed with {@code code}. */
  static boolean keeps(int code) {
    // 1006: no close frame (the network); 1001: going away (idle timeout, a page, a shutdown);
    // 1012, 1013, 1014: restart, try again later, bad gateway. Not 1000 or 1005 (a deliberate
    // close), nor a policy the server enforced (1002, 1003, 1007, 1008, 1009, 1011).
    return code == 1006 || code == 1001 || code == 1012 || code == 1013 || code == 1014;
  }

  /** Whether a session is parked when its connection closes while the server shuts down. */
  boolean keepsOnShutdown() {
    return portable;
  }

  /** Starts a session for a new connection. */
  Session start(ServerConnection c) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Session s = new Session(token, c.clientId(), c);
    local.put(token, s);
    return s;
  }

  /**
   * Claims the session of {@code token} for {@code next}: waits for a connection still attached to
   * it to close (closing it first), then takes its record. Completes with the session, attached to
   * {@code next}, or with null when there is none to resume.
   */
  CompletionStage<Session> claim(String token, ServerConnection next) {
    Session mine = local.get(token);
    if (mine != null) {
      ServerConnection old;
      synchronized (mine) {
        old = mine.state == Session.State.ATTACHED ? mine.connection : null;
      }
      if (old != null && old != next) {
        log.debug("Client {} resumes its session: closing its earlier connection", mine.clientId);
        old.handOver();
        return mine.detached.thenCompose(s -> s == null ? done(null) : take(token, next));
      }
    }
    return take(token, next);
  }

  private CompletionStage<Session> take(String token, ServerConnection next) {
    return take(token, next, System.nanoTime() + HANDOVER_WAIT_NANOS)
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
  private CompletionStage<Session> take(String token, ServerConnection next, long giveUpAt) {
    return store
        .takeSession(token)
        .thenCompose(
            record -> {
              if (record != null) {
                return done(attach(token, record, next));
              }
              if (!portable || System.nanoTime() - giveUpAt >= 0 || local.containsKey(token)) {
                return done(null);
              }
              Executor later =
                  CompletableFuture.delayedExecutor(HANDOVER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
              return CompletableFuture.supplyAsync(() -> token, later)
                  .thenCompose(t -> take(t, next, giveUpAt));
            });
  }

  /** With the record in hand: the session of this node, or one rebuilt from the record. */
  private Session attach(String token, byte[] record, ServerConnection next) {
    JsonNode r;
    try {
      r = mapper.readTree(record);
    } catch (IOException e) {
      unreadableRecords.warn("Dropped a session record that is not JSON", e);
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
          mine.state = Session.State.ATTACHED;
          mine.previous = mine.connection;
          mine.connection = next;
          mine.detached = new CompletableFuture<>();
          return mine;
        }
      }
      local.remove(token, mine); // a record of another node's is newer than ours
    }
    Session s = rebuild(token, r, next);
    if (s != null) {
      local.put(token, s);
    }
    return s;
  }

  /** A session parked by another node, from its record; null if its user context cannot be read. */
  private Session rebuild(String token, JsonNode r, ServerConnection next) {
    String clientId = r.path("clientId").asText(null);
    if (clientId == null || r.path("nodeOnly").asBoolean()) {
      return null;
    }
    Object user = null;
    JsonNode type = r.get("userType");
    if (type != null && !type.isNull()) {
      try {
        Class<?> c =
            Class.forName(type.asText(), false, Thread.currentThread().getContextClassLoader());
        user = mapper.treeToValue(r.get("user"), c);
      } catch (ClassNotFoundException | IOException | LinkageError e) {
        unreadableRecords.warn(
            "Could not read the user context of client {} from its session record; it starts afresh",
            LogSafe.text(clientId),
            e);
        return null;
      }
    }
    Session s = new Session(token, clientId, next);
    s.generation = r.path("generation").asLong();
    s.user = user;
    s.attributes = Map.of();
    Set<String> rooms = new HashSet<>();
    r.path("rooms").forEach(n -> rooms.add(n.asText()));
    s.rooms = Set.copyOf(rooms);
    return s;
  }

  /**
   * Parks the session of a connection that dropped, keeping what the next connection gets back, and
   * saves its record; it ends at the end of the window unless a connection resumes it. On the
   * handler executor, once the connection's messages are handled.
   */
  void park(Session s, ServerConnection c, Map<String, Object> attributes) {
    byte[] record;
    synchronized (s) {
      if (s.state != Session.State.ATTACHED || s.connection != c) {
        return;
      }
      s.state = Session.State.PARKED;
      s.generation++;
      s.user = c.user();
      s.attributes = attributes;
      s.rooms = c.rooms().current();
      record = record(s);
      s.expiry = c.eventLoop().schedule(() -> expire(s), windowMillis, TimeUnit.MILLISECONDS);
    }
    store.saveSession(s.token, record, windowMillis + RECORD_MARGIN_MILLIS);
    log.debug("Client {} dropped; its session is kept for {} ms", s.clientId, windowMillis);
    s.detached.complete(s);
  }

  /** Ends a session whose connection closed for good; {@code onDisconnect} is the caller's. */
  void end(Session s) {
    synchronized (s) {
      s.state = Session.State.ENDED;
    }
    local.remove(s.token, s);
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
    local.remove(s.token, s);
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
              local.remove(s.token, s);
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
    }
    local.clear();
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

  /**
   * The record saved in the store; marked {@code nodeOnly} when the user context cannot travel to
   * another node.
   */
  private byte[] record(Session s) {
    ObjectNode r = mapper.createObjectNode();
    r.put("clientId", s.clientId);
    r.put("generation", s.generation);
    ArrayNode rooms = r.putArray("rooms");
    s.rooms.forEach(rooms::add);
    if (portable && s.user != null) {
      try {
        r.set("user", mapper.valueToTree(s.user));
        r.put("userType", s.user.getClass().getName());
      } catch (IllegalArgumentException e) {
        r.put("nodeOnly", true);
        unwritableUsers.warn(
            "The user context of client {} cannot be written as JSON; its session can only be"
                + " resumed on this node",
            s.clientId,
            e);
      }
    }
    try {
      return mapper.writeValueAsBytes(r);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static CompletionStage<Session> done(Session s) {
    return CompletableFuture.completedFuture(s);
  }
}
