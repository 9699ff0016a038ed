package dev.zocket.netty;

import dev.zocket.LogSafe;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.spi.RecoveryStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The record of a parked session, as JSON, saved in the {@link RecoveryStore} for whoever resumes
 * it: its client id, principal, generation, rooms, the position it was parked at, its rooms over
 * time ({@link SessionRooms}) and, when the store is shared with other nodes, its user context with
 * the name of its class. A record that cannot be read, or whose user context cannot, is dropped
 * (logged, at most once a minute per kind), and its client starts afresh. Thread-safe.
 */
final class SessionRecords {
  private static final Logger log = LoggerFactory.getLogger(SessionRecords.class);

  /** Lines every resume or dropped connection can cause, so clients that reconnect can repeat. */
  private static final RateLimitedLog unreadableRecords = new RateLimitedLog(log);

  private static final RateLimitedLog unwritableUsers = new RateLimitedLog(log);

  private final ObjectMapper mapper;
  private final RecoveryStore store;
  private final RoomMemory memory;

  /** Whether records carry the user context, for other nodes. */
  private final boolean portable;

  SessionRecords(ObjectMapper mapper, RecoveryStore store, RoomMemory memory, boolean portable) {
    this.mapper = mapper;
    this.store = store;
    this.memory = memory;
    this.portable = portable;
  }

  /** A record as JSON; null (logged) when it is not JSON. */
  JsonNode read(byte[] record) {
    try {
      return mapper.readTree(record);
    } catch (JacksonException e) {
      unreadableRecords.warn("Dropped a session record that is not JSON", e);
      return null;
    }
  }

  /** A session parked by another node, from its record; null if its user context cannot be read. */
  Session rebuild(String token, JsonNode r, ServerConnection next) {
    String clientId = r.path("clientId").stringValue(null);
    if (clientId == null || r.path("nodeOnly").asBoolean(false)) {
      return null;
    }
    Object user = null;
    JsonNode type = r.get("userType");
    if (type != null && !type.isNull()) {
      try {
        Class<?> c =
            Class.forName(type.asString(""), false, Thread.currentThread().getContextClassLoader());
        user = mapper.treeToValue(r.get("user"), c);
      } catch (ClassNotFoundException
          | JacksonException
          | IllegalArgumentException
          | LinkageError e) {
        unreadableRecords.warn(
            "Could not read the user context of client {} from its session record; it starts afresh",
            LogSafe.text(clientId),
            e);
        return null;
      }
    }
    Session s = new Session(token, clientId, r.path("principal").stringValue(null), next);
    s.generation = r.path("generation").asLong(0);
    s.user = user;
    s.attributes = Map.of();
    s.rooms = strings(r.path("rooms"));
    s.parkedAt = r.path("parkedAt").stringValue(null);
    List<SessionRooms.Change> changes = new ArrayList<>();
    for (JsonNode c : r.path("changes")) {
      changes.add(
          new SessionRooms.Change(
              c.path("after").asString(""),
              c.path("room").asString(""),
              c.path("joined").asBoolean(false)));
    }
    String horizon = r.path("horizon").stringValue(null);
    if (horizon == null) {
      return null;
    }
    try {
      s.history = new SessionRooms(store, memory, horizon, strings(r.path("atHorizon")), changes);
    } catch (IllegalArgumentException e) {
      log.warn("Dropped a session record whose positions are not the store's", e);
      return null;
    }
    return s;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> set = new HashSet<>();
    array.forEach(n -> set.add(n.asString("")));
    return Set.copyOf(set);
  }

  /**
   * The record saved in the store; marked {@code nodeOnly} when the user context cannot travel to
   * another node.
   */
  byte[] write(Session s) {
    ObjectNode r = mapper.createObjectNode();
    r.put("clientId", s.clientId);
    r.put("principal", s.principal);
    r.put("generation", s.generation);
    ArrayNode rooms = r.putArray("rooms");
    s.rooms.forEach(rooms::add);
    r.put("parkedAt", s.parkedAt);
    r.put("horizon", s.history.horizon());
    ArrayNode atHorizon = r.putArray("atHorizon");
    s.history.atHorizon().forEach(atHorizon::add);
    ArrayNode changes = r.putArray("changes");
    for (SessionRooms.Change c : s.history.changes()) {
      changes.addObject().put("after", c.after()).put("room", c.room()).put("joined", c.joined());
    }
    if (portable && s.user != null) {
      try {
        r.set("user", mapper.valueToTree(s.user));
        r.put("userType", s.user.getClass().getName());
      } catch (RuntimeException e) { // Jackson's, or the serializer's own
        r.put("nodeOnly", true);
        unwritableUsers.warn(
            "The user context of client {} cannot be written as JSON; its session can only be"
                + " resumed on this node",
            s.clientId,
            e);
      }
    }
    return mapper.writeValueAsBytes(r);
  }
}
