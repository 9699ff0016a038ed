package dev.zocket.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Carries room, broadcast and to-client events between the nodes of a cluster of Zocket servers, so
 * that an event sent on one node reaches the recipients connected to any node.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .backplane(RedisBackplane.create("redis://10.0.0.5:6379")) // zocket-redis
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .start();
 * }</pre>
 *
 * <p>Without a backplane a server delivers events to its own connections only, through its
 * in-process registry, and pays nothing for this interface. With one, every event is first
 * delivered to the local recipients by the server itself, then handed once to {@link #publish}: the
 * backplane carries it to the other nodes, whose backplanes hand it to their server through {@link
 * Node#deliver}. A backplane must not deliver an event back to the node that published it.
 *
 * <p>The server tells the backplane which rooms have local members: {@link #subscribe} when a room
 * gets its first member on this node, {@link #unsubscribe} when its last local member leaves or
 * disconnects. A backplane may use this to receive only the traffic of rooms this node needs.
 *
 * <p>To let {@code to(clientId)} find the node holding a client, the server prefixes the client ids
 * it assigns with the backplane's {@link #nodeId()} and a dot: {@code <nodeId>.<random>}.
 *
 * <h2>Lifecycle</h2>
 *
 * A backplane instance serves one server. The server calls {@link #start} once while it starts,
 * before it accepts connections; then {@link #publish}, {@link #subscribe}, {@link #unsubscribe}
 * and {@link #sendControl} any number of times; then {@link #close} once, after its connections
 * have closed.
 *
 * <h2>Threading</h2>
 *
 * {@link #publish}, {@link #subscribe}, {@link #unsubscribe} and {@link #sendControl} are called
 * from any thread (I/O threads and handler threads), concurrently, and must not block. Calls of
 * {@code subscribe} and {@code unsubscribe} for one room are made one at a time, in the order the
 * room gained and lost its local members; a backplane must not call back into the server from them.
 * {@link Node#deliver} may be called from any thread and does not block.
 *
 * <h2>Observers</h2>
 *
 * The server tells its {@link ZocketObserver}s of what it publishes and of what its node is handed
 * to deliver; a backplane reports its outages through {@link Node#reportOutage} and {@link
 * Node#reportRecovery}.
 *
 * <h2>Guarantees</h2>
 *
 * Delivery through a backplane is at most once: an event that cannot reach another node (for
 * example while the backplane is disconnected) is lost for the recipients there, while local
 * recipients still get it. Implementations document what they keep of the order of events.
 */
public interface Backplane extends AutoCloseable {
  /**
   * This node's id, fixed for the life of the backplane: 1 to 32 characters among {@code A-Z a-z
   * 0-9 - _}, unique among the nodes of the cluster. It becomes the prefix of the ids of the
   * clients connected to this node.
   *
   * @return the node id
   */
  String nodeId();

  /**
   * Starts the backplane; called once by the server as it starts, before it accepts connections.
   * May block (for example to connect).
   *
   * @param node where events received from other nodes are delivered
   * @throws RuntimeException if the backplane cannot start; the server then fails to start
   */
  void start(Node node);

  /**
   * Sends an event to the other nodes. The server has already delivered it to the local recipients.
   * Returns immediately; a failure is the backplane's to log.
   *
   * @param target the recipients
   * @param frame the encoded event (a complete text frame); must not be changed or kept beyond the
   *     time needed to send it
   */
  void publish(Target target, byte[] frame);

  /**
   * A room got its first member on this node. Returns immediately.
   *
   * @param room the room id
   */
  void subscribe(String room);

  /**
   * A room lost its last member on this node. Returns immediately.
   *
   * @param room the room id
   */
  void unsubscribe(String room);

  /**
   * The store a server with connection-state recovery uses across the nodes of this backplane, so
   * that a client that reconnects to another node gets its session and missed events back. Called
   * once, before {@link #start}, by a server built with {@code recovery(...)}; the server then
   * publishes its events through the store instead of {@link #publish}, and delivers what the store
   * delivers.
   *
   * @param windowMillis how long a dropped connection's session and the events after it are kept
   * @param maxEvents the most events kept
   * @return the store
   * @throws UnsupportedOperationException if this backplane cannot keep sessions (the default); the
   *     server then fails to start
   */
  default RecoveryStore recoveryStore(long windowMillis, int maxEvents) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not support connection-state recovery");
  }

  /**
   * Sends a control message, opaque bytes the servers exchange to answer cluster-wide questions and
   * act on another node's connections ({@code ZocketServer.cluster()}): to the node with id {@code
   * nodeId}, or to every other node when {@code nodeId} is null. The receiving backplanes hand it
   * to their server through {@link Node#receiveControl}, with this node's id as the sender. A
   * backplane must not hand a message back to the node that sent it.
   *
   * <p>The stage completes with the number of nodes the message was handed to (0 when no node with
   * that id is connected), which the server uses to know how many answers to wait for; or fails
   * when the message could not be sent (for example while the backplane is disconnected). Delivery
   * is at most once, like events; order is kept per sending node and receiving node. Returns
   * immediately.
   *
   * <p>The default fails: a backplane that does not carry control messages; the server's cluster
   * operations that need another node then fail with the code {@code UNAVAILABLE}.
   *
   * @param nodeId the receiving node, or null for every other node
   * @param message the message; must not be changed or kept beyond the time needed to send it
   * @return the number of nodes that received it
   */
  default CompletionStage<Integer> sendControl(String nodeId, byte[] message) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(
            getClass().getName() + " does not carry control messages between nodes"));
  }

  /**
   * Stops the backplane and releases its resources; called once by the server as it closes. May
   * block.
   */
  @Override
  void close();

  /** The server side of a backplane: delivery to this node's own connections. */
  interface Node {
    /**
     * Delivers an event received from another node to this node's matching connections: every local
     * member of the target rooms once, the local clients named, or every local connection, skipping
     * the target's {@code except} ids. Ids and rooms unknown here are skipped.
     *
     * <p>Threading: any thread; does not block (writes are queued to the connections).
     *
     * @param target the recipients
     * @param frame the encoded event; shared by all recipients, so it must not be changed
     *     afterwards
     */
    void deliver(Target target, byte[] frame);

    /**
     * Receives a control message another node sent with {@link Backplane#sendControl}. The server
     * answers requests by sending a message back to {@code fromNodeId}.
     *
     * <p>Threading: any thread, one message at a time per sending node; does not block (the work it
     * starts runs on the server's threads).
     *
     * @param fromNodeId the id of the node that sent it
     * @param message the message; the server may keep it
     */
    default void receiveControl(String fromNodeId, byte[] message) {}

    /**
     * The backplane lost its connection to the other nodes: the server tells its observers ({@link
     * ZocketObserver#onBackplaneOutage}). Call once per outage, then {@link #reportRecovery} when
     * connected again. A backplane that never loses its connection need not call either.
     *
     * <p>Threading: any thread; does not block.
     */
    default void reportOutage() {}

    /**
     * The backplane is connected again after {@link #reportOutage}: the server tells its observers
     * ({@link ZocketObserver#onBackplaneRecovered}).
     *
     * <p>Threading: any thread; does not block.
     */
    default void reportRecovery() {}

    /**
     * Events another node published for this node were lost on the way: the server tells its
     * observers ({@link ZocketObserver#onBackplaneLost}).
     *
     * <p>Threading: any thread; does not block.
     *
     * @param fromNodeId the id of the node that published them
     * @param events how many, at least 1
     */
    default void reportLost(String fromNodeId, long events) {}
  }
}
