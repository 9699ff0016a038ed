package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Presence and control across every node of a cluster, from outside a handler (an admin endpoint, a
 * scheduled job) or from one: the members of a room, the rooms and presence of a client, the number
 * of connections, and disconnecting a client or moving it into or out of a room, whatever node it
 * is connected to.
 *
 * <pre>{@code
 * Cluster cluster = server.cluster();               // or Cluster.of(ctx) in a handler
 * cluster.members("general").thenAccept(page -> {
 *   for (Cluster.Member m : page.members()) {
 *     log.info("{} on {}: {}", m.clientId(), m.nodeId(), m.presence(String.class));
 *   }
 * });
 * cluster.join(clientId, "support");                // on whichever node the client is
 * cluster.disconnect(clientId, 4000, "Banned").toCompletableFuture().join();
 * }</pre>
 *
 * <p>Without a {@linkplain ZocketServer.Builder#backplane backplane} every answer is this server's
 * own. With one, the server asks the other nodes through it ({@link
 * dev.zocket.spi.Backplane#sendControl}): a question about a room or the whole cluster goes to
 * every node; an action on a client goes to the one node its client id names ({@code
 * <nodeId>.<random>}). Clients' wire protocol is not involved.
 *
 * <h2>When a node is slow or down</h2>
 *
 * Every operation ends within the {@linkplain #timeout() timeout} (default {@value
 * #DEFAULT_TIMEOUT_SECONDS} s; see {@link #withTimeout}):
 *
 * <ul>
 *   <li>Questions to every node ({@link #members}, {@link #stats}) never fail because of another
 *       node: at the timeout they complete with the answers that arrived, and {@code complete()} is
 *       false, with the number of nodes that received the question and did not answer. A node whose
 *       connection to the backplane is down is not reached (and its clients cannot be reached by
 *       events either); if this node cannot send at all, the answer is this node's own, with {@code
 *       complete()} false.
 *   <li>Questions and actions about one client ({@link #client}, {@link #disconnect}, {@link
 *       #join}, {@link #leave}) fail with a {@link ZocketException}: code {@link #UNAVAILABLE} when
 *       the client's node cannot be reached (the backplane is down, or no node with that id is
 *       connected to it, for example because it stopped), code {@link ErrorCodes#TIMEOUT} when it
 *       received the request and did not answer in time (the action may still happen later). A
 *       client that is not connected to its node is an answer, not a failure: {@code false} or an
 *       empty {@code Optional}.
 * </ul>
 *
 * <h2>Memory</h2>
 *
 * At most {@value #MAX_PENDING} operations that wait for other nodes at once per server; one more
 * fails at once with {@link ErrorCodes#LIMIT_EXCEEDED}. A node's answer is at most about 1 MiB; a
 * member's presence at most {@value #MAX_PRESENCE_BYTES} bytes of JSON (a larger one is left out
 * and logged). A room's members come in pages of at most {@value #MAX_PAGE_SIZE} (see {@link
 * #members(String, String, int)}), so that a room of 100,000 members costs the asking node one page
 * at a time.
 *
 * <p>Threading: thread-safe; every method returns immediately. The returned stages complete on the
 * server's handler executor (on the calling thread when the answer is this node's alone), so their
 * dependent actions may block as handlers may. Requests from other nodes run on the handler
 * executor too, as do the {@linkplain ZocketServer.Builder#presence presence} function's calls for
 * them.
 */
public final class Cluster {
  /**
   * The error code of an operation whose node could not be reached: the backplane is down, it does
   * not carry control messages, or no node with the client's node id is connected to it.
   */
  public static final String UNAVAILABLE = "UNAVAILABLE";

  /** The default of {@link #timeout()}, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 5;

  /** The default number of members of a page of {@link #members(String)}. */
  public static final int DEFAULT_PAGE_SIZE = 1_000;

  /** The most members of a page. */
  public static final int MAX_PAGE_SIZE = 10_000;

  /** The most operations of one server waiting for other nodes at once. */
  public static final int MAX_PENDING = 1_024;

  /** The most bytes of a member's presence, as JSON. */
  public static final int MAX_PRESENCE_BYTES = 4_096;

  private final ClusterControl control;
  private final long timeoutMillis;

  Cluster(ClusterControl control, long timeoutMillis) {
    this.control = control;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * The cluster of the server a handler's connection belongs to, for a handler that has only its
   * {@link Context}. It must be the context the server made (the one given to handler factories and
   * to {@code onDisconnect}), not a wrapper of it such as the one the Spring Boot starter injects
   * into handler beans: there, use the server's {@link ZocketServer#cluster()} (the starter's
   * {@code ZocketServerLifecycle.server()}).
   *
   * @param ctx a context made by a {@link ZocketServer}
   * @return the server's cluster, with the default timeout
   * @throws IllegalArgumentException if {@code ctx} is not a {@link ZocketServer}'s context
   */
  public static Cluster of(Context<?> ctx) {
    Objects.requireNonNull(ctx, "ctx == null");
    if (ctx instanceof ServerConnection c) {
      return c.cluster();
    }
    throw new IllegalArgumentException("Not the context of a ZocketServer connection: " + ctx);
  }

  /**
   * This view with another timeout; this one is unchanged.
   *
   * @param timeout how long an operation waits for other nodes; from 1 ms to 10 minutes
   * @return a view of the same cluster
   */
  public Cluster withTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("timeout must be from 1 ms to 10 minutes: " + timeout);
    }
    return new Cluster(control, timeout.toMillis());
  }

  /** How long an operation waits for other nodes before it completes as described above. */
  public Duration timeout() {
    return Duration.ofMillis(timeoutMillis);
  }

  /** This server's node id: its backplane's, or an empty string without a backplane. */
  public String nodeId() {
    return control.nodeId();
  }

  /**
   * The first page of a room's members across the cluster, at most {@value #DEFAULT_PAGE_SIZE}: see
   * {@link #members(String, String, int)}.
   *
   * @param room the room id
   * @return the first page of members
   */
  public CompletionStage<Members> members(String room) {
    return members(room, null, DEFAULT_PAGE_SIZE);
  }

  /**
   * A page of a room's members across the cluster, in the order of their client ids: those after
   * {@code after}, at most {@code limit}. Pass the page's {@link Members#next()} as {@code after}
   * for the next page; pages of a room that changes meanwhile hold each member that stays in the
   * room once. {@link Members#count()} is the number of members of the room on the nodes that
   * answered, whatever the page holds.
   *
   * @param room the room id
   * @param after the last client id of the previous page, or null for the first page
   * @param limit the most members of the page, from 1 to {@value #MAX_PAGE_SIZE}
   * @return the page; never failed by a slow node (see the class's description)
   */
  public CompletionStage<Members> members(String room, String after, int limit) {
    Objects.requireNonNull(room, "room == null");
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("limit must be from 1 to " + MAX_PAGE_SIZE + ": " + limit);
    }
    return control.members(room, after, limit, timeoutMillis);
  }

  /**
   * The number of connections and of rooms of every node.
   *
   * @return the counts; never failed by a slow node (see the class's description)
   */
  public CompletionStage<Stats> stats() {
    return control.stats(timeoutMillis);
  }

  /**
   * A client's node, rooms and presence, asked of its node.
   *
   * @param clientId the client id
   * @return the client, or empty if no connection with that id is open on its node
   */
  public CompletionStage<Optional<ClientInfo>> client(String clientId) {
    Objects.requireNonNull(clientId, "clientId == null");
    return control.client(clientId, timeoutMillis);
  }

  /**
   * Closes a client's connection with a close code and reason, completing the closing handshake, as
   * {@link Context#close()} does with 1000. With {@linkplain ZocketServer.Builder#recovery
   * recovery}, the code decides whether the session is kept for the client to resume: 1000 or a
   * policy code (1008) ends it, 1001, 1012 and 1013 keep it; codes 4000 to 4999 are the
   * application's and end it. The client sees the code; whether it reconnects is its own policy's
   * call.
   *
   * @param clientId the client id
   * @param code 1000, 1001, 1008, 1011 to 1013, or 3000 to 4999
   * @param reason at most 123 bytes of UTF-8 (cut beyond); may be empty
   * @return true once the close has begun on the client's node, false if no connection with that id
   *     is open there
   */
  public CompletionStage<Boolean> disconnect(String clientId, int code, String reason) {
    Objects.requireNonNull(clientId, "clientId == null");
    Objects.requireNonNull(reason, "reason == null");
    if (!isCloseCode(code)) {
      throw new IllegalArgumentException(
          "code must be 1000, 1001, 1008, 1011 to 1013, or 3000 to 4999: " + code);
    }
    return control.disconnect(clientId, code, CloseHandshake.truncate(reason), timeoutMillis);
  }

  /**
   * Makes a client join a room, as its handler's {@code ctx.rooms().join(room)} would, under the
   * same limits. Nothing is sent to the client or the room: emit an event if they should know.
   *
   * @param clientId the client id
   * @param room the room id
   * @return true if the client is connected and now in the room, false if no connection with that
   *     id is open on its node; failed with {@link ErrorCodes#LIMIT_EXCEEDED} when a limit refused
   *     the join
   */
  public CompletionStage<Boolean> join(String clientId, String room) {
    Objects.requireNonNull(clientId, "clientId == null");
    Objects.requireNonNull(room, "room == null");
    return control.move(clientId, room, true, timeoutMillis);
  }

  /**
   * Makes a client leave a room, as its handler's {@code ctx.rooms().leave(room)} would. Nothing is
   * sent to the client or the room.
   *
   * @param clientId the client id
   * @param room the room id
   * @return true if the client is connected (and now not in the room, whether it was or not), false
   *     if no connection with that id is open on its node
   */
  public CompletionStage<Boolean> leave(String clientId, String room) {
    Objects.requireNonNull(clientId, "clientId == null");
    Objects.requireNonNull(room, "room == null");
    return control.move(clientId, room, false, timeoutMillis);
  }

  @Override
  public String toString() {
    return "Cluster(node " + control.nodeId() + ", timeout " + timeout() + ")";
  }

  /** Whether the server sends this close code for {@link #disconnect}. */
  static boolean isCloseCode(int code) {
    return code == 1000
        || code == 1001
        || code == 1008
        || (code >= 1011 && code <= 1013)
        || (code >= 3000 && code <= 4999);
  }

  /**
   * One member of a room: a connection, its node and its presence. Immutable; thread-safe.
   *
   * <p>{@code presence} is the JSON of what the server's {@linkplain ZocketServer.Builder#presence
   * presence function} made of the member's user context, read with the server's {@code
   * ObjectMapper}.
   */
  public static final class Member {
    private final String clientId;
    private final String nodeId;
    private final JsonNode presence;
    private final ObjectMapper mapper;

    Member(String clientId, String nodeId, JsonNode presence, ObjectMapper mapper) {
      this.clientId = clientId;
      this.nodeId = nodeId;
      this.presence = presence;
      this.mapper = mapper;
    }

    /** The member's client id. */
    public String clientId() {
      return clientId;
    }

    /** The id of the node the member is connected to (empty without a backplane). */
    public String nodeId() {
      return nodeId;
    }

    /**
     * The member's presence, read as {@code type}.
     *
     * @param type the type the presence function returns, or one Jackson binds its JSON to
     * @return the presence, or null if the server has no presence function, it returned null, or
     *     its JSON was larger than {@value Cluster#MAX_PRESENCE_BYTES} bytes
     * @throws IllegalArgumentException if the JSON cannot be bound to {@code type}
     */
    public <T> T presence(Class<T> type) {
      return readPresence(mapper, presence, type);
    }

    @Override
    public String toString() {
      return "Member(" + clientId + (presence == null ? "" : " " + presence) + ")";
    }
  }

  /**
   * A page of a room's members across the cluster ({@link Cluster#members(String, String, int)}).
   * Immutable; thread-safe.
   *
   * @param members the members, in the order of their client ids
   * @param count the number of members of the room on the nodes that answered
   * @param next the client id to pass as {@code after} for the next page, or null if this is the
   *     last page
   * @param unansweredNodes the number of nodes that received the question and did not answer in
   *     time
   * @param complete whether every node answered: false when some did not in time, or when the
   *     question could not be sent to the other nodes
   */
  public record Members(
      List<Member> members, long count, String next, int unansweredNodes, boolean complete) {
    /** Copies the list. */
    public Members {
      members = List.copyOf(members);
    }
  }

  /**
   * The counts of every node that answered ({@link Cluster#stats()}). Immutable; thread-safe.
   *
   * @param nodes the counts of each node that answered, by node id (this node's under its own id,
   *     empty without a backplane)
   * @param unansweredNodes the number of nodes that received the question and did not answer in
   *     time
   * @param complete whether every node answered: false when some did not in time, or when the
   *     question could not be sent to the other nodes
   */
  public record Stats(Map<String, NodeStats> nodes, int unansweredNodes, boolean complete) {
    /** Copies the map. */
    public Stats {
      nodes = Map.copyOf(nodes);
    }

    /** The open connections of every node that answered. */
    public long connections() {
      long sum = 0;
      for (NodeStats n : nodes.values()) {
        sum += n.connections();
      }
      return sum;
    }
  }

  /**
   * The counts of one node.
   *
   * @param connections its open connections
   * @param rooms its rooms with at least one member connected to it (a room with members on several
   *     nodes counts on each)
   */
  public record NodeStats(int connections, int rooms) {}

  /**
   * A connected client ({@link Cluster#client}). Immutable; thread-safe.
   *
   * <p>Its presence is read as {@link Member#presence} is.
   */
  public static final class ClientInfo {
    private final String clientId;
    private final String nodeId;
    private final Set<String> rooms;
    private final boolean roomsComplete;
    private final JsonNode presence;
    private final ObjectMapper mapper;

    ClientInfo(
        String clientId,
        String nodeId,
        Set<String> rooms,
        boolean roomsComplete,
        JsonNode presence,
        ObjectMapper mapper) {
      this.clientId = clientId;
      this.nodeId = nodeId;
      this.rooms = Set.copyOf(rooms);
      this.roomsComplete = roomsComplete;
      this.presence = presence;
      this.mapper = mapper;
    }

    /** The client id. */
    public String clientId() {
      return clientId;
    }

    /** The id of the node the client is connected to (empty without a backplane). */
    public String nodeId() {
      return nodeId;
    }

    /** The rooms the client is in; all of them unless {@link #roomsComplete()} is false. */
    public Set<String> rooms() {
      return rooms;
    }

    /**
     * Whether {@link #rooms()} holds every room of the client: false when their ids together were
     * more than a node's answer may hold (about 1 MiB).
     */
    public boolean roomsComplete() {
      return roomsComplete;
    }

    /**
     * The client's presence, read as {@code type}; see {@link Member#presence}.
     *
     * @throws IllegalArgumentException if the JSON cannot be bound to {@code type}
     */
    public <T> T presence(Class<T> type) {
      return readPresence(mapper, presence, type);
    }

    @Override
    public String toString() {
      return "ClientInfo(" + clientId + " in " + rooms + ")";
    }
  }

  private static <T> T readPresence(ObjectMapper mapper, JsonNode presence, Class<T> type) {
    Objects.requireNonNull(type, "type == null");
    if (presence == null) {
      return null;
    }
    try {
      return mapper.treeToValue(presence, type);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "The presence cannot be read as " + type.getName() + ": " + e.getMessage(), e);
    }
  }
}
