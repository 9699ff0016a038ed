package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.RateLimitedLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * This node's answers to cluster requests ({@link ClusterControl}): read from and done on its
 * {@link Directory}, each written as the JSON answer that travels back to the asking node, so that
 * this node's own part of an operation is read like the other nodes'. A node's answer is kept under
 * {@link ClusterControl#MAX_REPLY_BYTES}: a member list or a room list is cut there, and says so.
 *
 * <p>Threading: any thread (the handler executor for other nodes' requests, the caller's thread for
 * this node's part). Thread-safe: it keeps no state of its own.
 */
final class LocalAnswers {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  private static final RateLimitedLog failures = new RateLimitedLog(log);
  private static final int MAX_REPLY_BYTES = ClusterControl.MAX_REPLY_BYTES;

  private final String nodeId;
  private final Directory directory;
  private final ObjectMapper mapper;
  private final Function<Object, Object> presence;

  /**
   * @param nodeId the backplane's node id, or empty without one
   * @param presence makes a member's presence from its user context; null for none
   */
  LocalAnswers(
      String nodeId, Directory directory, ObjectMapper mapper, Function<Object, Object> presence) {
    this.nodeId = nodeId;
    this.directory = directory;
    this.mapper = mapper;
    this.presence = presence;
  }

  /** This node's answer to a request; an error answer for a failure. Any thread. */
  ObjectNode answer(JsonNode q) {
    ObjectNode a = mapper.createObjectNode();
    try {
      switch (q.path("op").asString()) {
        case "members" -> members(q, a);
        case "stats" ->
            a.put("connections", directory.connectionCount()).put("rooms", directory.roomCount());
        case "client" -> client(q.path("client").asString(), a);
        case "disconnect" -> {
          int code = q.path("code").asInt();
          if (!Cluster.isCloseCode(code)) {
            throw new IllegalArgumentException("not a close code the server sends: " + code);
          }
          ServerConnection c = directory.connection(q.path("client").asString());
          if (c != null) {
            c.closeWith(code, CloseHandshake.truncate(q.path("reason").asString()));
          }
          a.put("found", c != null);
        }
        case "join", "leave" -> {
          ServerConnection c = directory.connection(q.path("client").asString());
          if (c != null) {
            String room = q.path("room").asString();
            if (q.path("op").asString().equals("join")) {
              c.rooms().join(room);
            } else {
              c.rooms().leave(room);
            }
          }
          a.put("found", c != null);
        }
        default -> throw new IllegalArgumentException("unknown operation " + q.path("op"));
      }
    } catch (ZocketException e) {
      a.removeAll();
      a.putObject("error").put("code", e.code()).put("message", e.getMessage());
    } catch (RuntimeException e) {
      failures.error("A cluster request failed: {}", q.path("op").asString(), e);
      a.removeAll();
      a.putObject("error")
          .put("code", ErrorCodes.INTERNAL)
          .put("message", "The request failed on node " + nodeId);
    }
    return a;
  }

  /**
   * The members of a room after {@code after}: the first {@code limit} by client id, found with a
   * heap of that size, whatever the size of the room; cut to the answer's bytes.
   */
  private void members(JsonNode q, ObjectNode a) {
    String after = q.has("after") ? q.path("after").asString() : null;
    int limit = Math.min(Math.max(q.path("limit").asInt(), 1), Cluster.MAX_PAGE_SIZE);
    Room room = directory.room(q.path("room").asString());
    Comparator<ServerConnection> byId = Comparator.comparing(ServerConnection::clientId);
    PriorityQueue<ServerConnection> first = new PriorityQueue<>(byId.reversed());
    long count = 0;
    boolean more = false;
    if (room != null) {
      for (ServerConnection c : room.members()) {
        count++;
        if (after != null && c.clientId().compareTo(after) <= 0) {
          continue;
        }
        first.add(c);
        if (first.size() > limit) {
          first.poll();
          more = true;
        }
      }
    }
    List<ServerConnection> page = new ArrayList<>(first);
    page.sort(byId);
    ArrayNode m = a.put("count", count).putArray("m");
    long bytes = 0;
    for (ServerConnection c : page) {
      JsonNode p = presenceOf(c);
      long size = c.clientId().length() + 8 + (p == null ? 4 : p.toString().length());
      if (bytes + size > MAX_REPLY_BYTES && !m.isEmpty()) {
        more = true;
        break;
      }
      bytes += size;
      m.addArray().add(c.clientId()).add(p);
    }
    a.put("more", more);
  }

  private void client(String clientId, ObjectNode a) {
    ServerConnection c = directory.connection(clientId);
    a.put("found", c != null);
    if (c == null) {
      return;
    }
    ArrayNode rooms = a.putArray("rooms");
    long bytes = 0;
    boolean complete = true;
    for (String room : c.rooms().current()) {
      bytes += room.length() + 4L;
      if (bytes > MAX_REPLY_BYTES) {
        complete = false;
        break;
      }
      rooms.add(room);
    }
    a.put("roomsComplete", complete);
    a.set("presence", presenceOf(c));
  }

  /** A connection's presence as JSON, or null: none, or too large (then logged). */
  private JsonNode presenceOf(ServerConnection c) {
    if (presence == null) {
      return null;
    }
    try {
      Object value = presence.apply(c.user());
      if (value == null) {
        return null;
      }
      JsonNode json = mapper.valueToTree(value);
      if (mapper.writeValueAsBytes(json).length > Cluster.MAX_PRESENCE_BYTES) {
        failures.warn(
            "The presence of client {} is longer than {} bytes of JSON; it is left out",
            c.clientId(),
            Cluster.MAX_PRESENCE_BYTES);
        return null;
      }
      return json;
    } catch (RuntimeException e) {
      failures.error("The presence function failed for client {}", c.clientId(), e);
      return null;
    }
  }
}
