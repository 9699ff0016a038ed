package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RateLimitedLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The work behind {@link Cluster}: asks this node ({@link LocalAnswers}) and the other nodes
 * through the {@link BackplaneLink}, waiting for their answers under a timeout and a bound on the
 * operations pending, and answers the other nodes' requests.
 *
 * <p>Messages are small JSON objects (written with the server's {@code ObjectMapper}): a request
 * {@code {"q":id,"op":...}} to every node or to one, and the answer {@code {"a":id,...}} sent back
 * to the asking node. The same answer is made for this node's own part, so local and remote parts
 * are read alike. A node's answer is kept under {@link #MAX_REPLY_BYTES}.
 *
 * <p>Threading: the operations are called from any thread and return at once; requests from other
 * nodes are answered on the handler executor; answers are gathered on the backplane's thread under
 * the lock of their operation; results complete on the handler executor. Thread-safe.
 */
final class ClusterControl {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  private static final RateLimitedLog failures = new RateLimitedLog(log);

  /** About the most bytes of a node's answer: its member list or its room list is cut there. */
  static final int MAX_REPLY_BYTES = 1 << 20;

  private final String nodeId;
  private final BackplaneLink link;
  private final ObjectMapper mapper;
  private final LocalAnswers answers;
  private final Executor executor;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger pendingCount = new AtomicInteger();

  /** The view with the default timeout, for {@link ZocketServer#cluster()} and handlers. */
  final Cluster cluster;

  /**
   * @param nodeId the backplane's node id, or empty without one
   * @param link the backplane, or null without one
   * @param presence makes a member's presence from its user context; null for none
   * @param executor the handler executor: runs requests of other nodes and completes results
   */
  ClusterControl(
      String nodeId,
      BackplaneLink link,
      Directory directory,
      ObjectMapper mapper,
      Function<Object, Object> presence,
      Executor executor) {
    this.nodeId = nodeId;
    this.link = link;
    this.mapper = mapper;
    this.answers = new LocalAnswers(nodeId, directory, mapper, presence);
    this.executor = executor;
    this.cluster = new Cluster(this, TimeUnit.SECONDS.toMillis(Cluster.DEFAULT_TIMEOUT_SECONDS));
  }

  String nodeId() {
    return nodeId;
  }

  // ------------------------------------------------------------------ operations

  CompletionStage<Cluster.Members> members(String room, String after, int limit, long timeout) {
    ObjectNode q = request("members").put("room", room).put("limit", limit);
    if (after != null) {
      q.put("after", after);
    }
    return everyNode(q, new MembersGather(limit), timeout);
  }

  CompletionStage<Cluster.Stats> stats(long timeout) {
    return everyNode(request("stats"), new StatsGather(), timeout);
  }

  CompletionStage<Optional<Cluster.ClientInfo>> client(String clientId, long timeout) {
    return oneNode(
        clientId,
        request("client").put("client", clientId),
        (node, a) ->
            a.path("found").asBoolean()
                ? Optional.of(
                    new Cluster.ClientInfo(
                        clientId,
                        node,
                        strings(a.path("rooms")),
                        a.path("roomsComplete").asBoolean(),
                        present(a.path("presence")),
                        mapper))
                : Optional.empty(),
        timeout);
  }

  CompletionStage<Boolean> disconnect(String clientId, int code, String reason, long timeout) {
    ObjectNode q =
        request("disconnect").put("client", clientId).put("code", code).put("reason", reason);
    return oneNode(clientId, q, (node, a) -> a.path("found").asBoolean(), timeout);
  }

  CompletionStage<Boolean> move(String clientId, String room, boolean join, long timeout) {
    ObjectNode q = request(join ? "join" : "leave").put("client", clientId).put("room", room);
    return oneNode(clientId, q, (node, a) -> a.path("found").asBoolean(), timeout);
  }

  private ObjectNode request(String op) {
    return mapper.createObjectNode().put("op", op);
  }

  /** Asks this node, then every other one through the backplane. */
  private <T> CompletionStage<T> everyNode(ObjectNode q, Gather<T> gather, long timeout) {
    gather.add(nodeId, answers.answer(q));
    if (link == null) {
      return CompletableFuture.completedFuture(gather.finish(0, 0));
    }
    Pending p = register(gather);
    if (p == null) {
      return tooManyPending();
    }
    send(p, null, q, timeout);
    return p.result();
  }

  /** Asks the node of a client id: this one, or another through the backplane. */
  private <T> CompletionStage<T> oneNode(
      String clientId, ObjectNode q, Answer<T> read, long timeout) {
    String node = nodeOf(clientId);
    if (link == null || node == null || node.equals(nodeId)) {
      try {
        return CompletableFuture.completedFuture(read.read(nodeId, checked(answers.answer(q))));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    Pending p = register(new OneGather<>(node, read));
    if (p == null) {
      return tooManyPending();
    }
    send(p, node, q, timeout);
    return p.result();
  }

  /** The node id a clustered client id starts with, or null if it names none. */
  private static String nodeOf(String clientId) {
    int dot = clientId.indexOf('.');
    String node = dot <= 0 ? null : clientId.substring(0, dot);
    return node != null && Protocol.isNodeId(node) ? node : null;
  }

  private Pending register(Gather<?> gather) {
    if (pendingCount.incrementAndGet() > Cluster.MAX_PENDING) {
      pendingCount.decrementAndGet();
      return null;
    }
    Pending p = new Pending(ids.incrementAndGet(), gather);
    pending.put(p.id, p);
    return p;
  }

  private static <T> CompletionStage<T> tooManyPending() {
    return CompletableFuture.failedFuture(
        new ZocketException(
            ErrorCodes.LIMIT_EXCEEDED,
            "Too many cluster operations wait for other nodes (at most "
                + Cluster.MAX_PENDING
                + "); try again later"));
  }

  private void send(Pending p, String node, ObjectNode q, long timeout) {
    q.put("q", p.id);
    byte[] bytes = mapper.writeValueAsBytes(q);
    CompletableFuture.delayedExecutor(timeout, TimeUnit.MILLISECONDS).execute(p::timedOut);
    CompletionStage<Integer> sent;
    try {
      sent = link.sendControl(node, bytes);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (reached, failure) -> {
          if (failure != null) {
            log.debug("A cluster request could not be sent: {}", failure.toString());
            p.reached(-1);
          } else {
            p.reached(reached);
          }
        });
  }

  // ------------------------------------------------------------------ the backplane's side

  /** A control message from another node: a request to answer, or an answer to a request. */
  void receive(String from, byte[] message) {
    JsonNode m;
    try {
      m = mapper.readTree(message);
    } catch (RuntimeException e) {
      failures.warn("Ignoring a malformed cluster message from node {}: {}", from, e.toString());
      return;
    }
    if (m.has("a")) {
      Pending p = pending.get(m.path("a").asLong());
      if (p != null) {
        p.answered(from, m);
      } else {
        log.debug("An answer of node {} came after its request ended", from);
      }
    } else if (m.has("q")) {
      try {
        executor.execute(() -> reply(from, m));
      } catch (RejectedExecutionException e) {
        log.debug("A cluster request of node {} arrived while the server stops", from);
      }
    }
  }

  /** Answers a request of another node. On the handler executor. */
  private void reply(String from, JsonNode q) {
    ObjectNode a = answers.answer(q);
    a.put("a", q.path("q").asLong());
    try {
      link.sendControl(from, mapper.writeValueAsBytes(a))
          .whenComplete(
              (reached, failure) -> {
                if (failure != null) {
                  log.debug("An answer to node {} could not be sent: {}", from, failure.toString());
                }
              });
    } catch (RuntimeException e) {
      log.debug("An answer to node {} could not be sent: {}", from, e.toString());
    }
  }

  /** Throws the error an answer carries, else returns it. */
  private static JsonNode checked(JsonNode a) {
    JsonNode error = a.get("error");
    if (error != null) {
      throw new ZocketException(error.path("code").asString(), error.path("message").asString());
    }
    return a;
  }

  /** A presence as the answer has it, or null for none. */
  private static JsonNode present(JsonNode presence) {
    return presence.isNull() || presence.isMissingNode() ? null : presence;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode s : array) {
      out.add(s.asString());
    }
    return out;
  }

  // ------------------------------------------------------------------ gathering answers

  /** Reads one node's answer into a result. */
  @FunctionalInterface
  private interface Answer<T> {
    T read(String node, JsonNode answer);
  }

  /** Folds answers into a result as they arrive; called under the operation's lock. */
  private interface Gather<T> {
    void add(String node, JsonNode answer);

    /**
     * The result once every node reached answered or the time is up.
     *
     * @param reached the nodes the request reached (this one excluded); -1 if it was not sent
     * @param answered the answers among them
     */
    T finish(int reached, int answered);
  }

  private final class MembersGather implements Gather<Cluster.Members> {
    private final int limit;
    private final TreeMap<String, Cluster.Member> page = new TreeMap<>();
    private long count;
    private boolean more;

    /** The smallest last id of the nodes that have more members than they sent; null if none. */
    private String bound;

    MembersGather(int limit) {
      this.limit = limit;
    }

    @Override
    public void add(String node, JsonNode a) {
      if (a.has("error")) {
        return;
      }
      count += a.path("count").asLong();
      String last = null;
      for (JsonNode e : a.path("m")) {
        last = e.path(0).asString();
        JsonNode p = e.path(1);
        page.put(last, new Cluster.Member(last, node, present(p), mapper));
        if (page.size() > limit) {
          page.pollLastEntry();
          more = true;
        }
      }
      if (a.path("more").asBoolean() && last != null) {
        more = true;
        bound = bound == null || last.compareTo(bound) < 0 ? last : bound;
      }
    }

    @Override
    public Cluster.Members finish(int reached, int answered) {
      // A member after a node's last one could come before members that node has not sent yet.
      while (bound != null && !page.isEmpty() && page.lastKey().compareTo(bound) > 0) {
        page.pollLastEntry();
      }
      String next = more && !page.isEmpty() ? page.lastKey() : null;
      return new Cluster.Members(
          new ArrayList<>(page.values()),
          count,
          next,
          Math.max(reached - answered, 0),
          reached >= 0 && answered >= reached);
    }
  }

  private static final class StatsGather implements Gather<Cluster.Stats> {
    private final Map<String, Cluster.NodeStats> nodes = new HashMap<>();

    @Override
    public void add(String node, JsonNode a) {
      if (!a.has("error")) {
        nodes.put(
            node, new Cluster.NodeStats(a.path("connections").asInt(), a.path("rooms").asInt()));
      }
    }

    @Override
    public Cluster.Stats finish(int reached, int answered) {
      return new Cluster.Stats(
          nodes, Math.max(reached - answered, 0), reached >= 0 && answered >= reached);
    }
  }

  /** The answer of a client's node: its result, or the failure of its node. */
  private static final class OneGather<T> implements Gather<T> {
    private final String node;
    private final Answer<T> read;
    private JsonNode answer;

    OneGather(String node, Answer<T> read) {
      this.node = node;
      this.read = read;
    }

    @Override
    public void add(String from, JsonNode a) {
      answer = a;
    }

    @Override
    public T finish(int reached, int answered) {
      if (answer != null) {
        return read.read(node, checked(answer));
      }
      if (reached <= 0) {
        throw new ZocketException(
            Cluster.UNAVAILABLE, "Node " + node + " cannot be reached through the backplane");
      }
      throw new ZocketException(ErrorCodes.TIMEOUT, "Node " + node + " did not answer in time");
    }
  }

  /** An operation waiting for other nodes. Its state is guarded by itself. */
  private final class Pending {
    final long id;

    /** Dropped once the result is made: the timer keeps this object until the timeout. */
    private Gather<?> gather;

    private final CompletableFuture<Object> result = new CompletableFuture<>();
    private int reached = Integer.MIN_VALUE; // not known yet
    private int answered;
    private boolean done;

    Pending(long id, Gather<?> gather) {
      this.id = id;
      this.gather = gather;
    }

    @SuppressWarnings("unchecked") // the gather's type is the operation's result type
    <T> CompletionStage<T> result() {
      return (CompletionStage<T>) (CompletionStage<?>) result;
    }

    /** The backplane says how many nodes the request reached (-1: it was not sent). */
    synchronized void reached(int nodes) {
      reached = nodes;
      if (nodes <= answered) {
        end();
      }
    }

    /** An answer arrived; answers may come before the count of nodes reached. */
    synchronized void answered(String node, JsonNode a) {
      if (done) {
        return;
      }
      answered++;
      gather.add(node, a);
      if (reached != Integer.MIN_VALUE && answered >= reached) {
        end();
      }
    }

    synchronized void timedOut() {
      if (!done) {
        if (reached == Integer.MIN_VALUE) {
          reached = -1; // the backplane never said it sent it
        }
        end();
      }
    }

    /** Under the lock. */
    private void end() {
      if (done) {
        return;
      }
      done = true;
      pending.remove(id);
      pendingCount.decrementAndGet();
      Object value;
      try {
        value = gather.finish(reached, answered);
      } catch (RuntimeException e) {
        gather = null;
        complete(() -> result.completeExceptionally(e));
        return;
      }
      gather = null;
      complete(() -> result.complete(value));
    }
  }

  /** Completes a result on the handler executor, so its dependents may block. */
  private void complete(Runnable completion) {
    try {
      executor.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run(); // the server stops: complete here rather than never
    }
  }
}
