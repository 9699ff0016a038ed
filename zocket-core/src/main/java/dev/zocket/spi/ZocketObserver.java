package dev.zocket.spi;

import dev.zocket.DropReason;

/**
 * Listens to what a Zocket server does, for metrics and monitoring: connections, refused
 * handshakes, messages received and handled, events sent, drops, slow consumers, the backplane and
 * the recovery store. Every method has an empty default body, so an observer overrides only what it
 * needs. {@code zocket-micrometer} implements it with Micrometer meters.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .observer(new ZocketObserver() {
 *       @Override
 *       public void onMessageHandled(
 *           String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String error) {
 *         if (error != null) log.info("{} answered {}", route, error);
 *       }
 *     })
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .start();
 * }</pre>
 *
 * <p>A server may have several observers ({@code ZocketServer.Builder.observer}, once per
 * observer); each is told of every occurrence, in the order they were added. A server without
 * observers does not measure anything for them: no clock reads and no allocation per message.
 *
 * <h2>Threading</h2>
 *
 * Methods are called from the server's I/O threads, its handler threads and the backplane's own
 * threads, concurrently, so an implementation must be thread-safe. Each method states where it is
 * called. None may block: they run on the path of the message or connection they report. An
 * exception thrown by an observer is caught; the first one of each observer is logged at warn, the
 * next ones at debug, and the server carries on as if the method had returned.
 *
 * <h2>Cardinality</h2>
 *
 * Route names are those of the server's contracts, so a set known in advance; a message naming a
 * route the server does not have is reported with {@link #UNKNOWN_ROUTE}. Client ids are random per
 * connection: they are passed to the connection methods only, and are not fit to be metric tags.
 */
public interface ZocketObserver {
  /** The route reported for a message naming a route the server does not have. */
  String UNKNOWN_ROUTE = "<unknown>";

  /**
   * A connection was opened: the WebSocket handshake succeeded and {@code onConnect} completed.
   *
   * <p>Threading: on the connection's I/O thread.
   *
   * @param clientId the connection's client id
   */
  default void onConnectionOpened(String clientId) {}

  /**
   * An open connection closed. Called once per {@link #onConnectionOpened}, when the socket closed,
   * before {@code onDisconnect} runs.
   *
   * <p>Threading: on the connection's I/O thread.
   *
   * @param clientId the connection's client id
   * @param closeCode the WebSocket close code: the one the server sent, or the peer's when the peer
   *     closed first ({@code 1005} for a close frame without code), or {@code 1006} when the socket
   *     closed without a close frame
   */
  default void onConnectionClosed(String clientId, int closeCode) {}

  /**
   * A WebSocket handshake was refused with an HTTP error (before any connection was opened).
   *
   * <p>Threading: on the socket's I/O thread.
   *
   * @param reason why
   * @param httpStatus the status the server answered, for example 401 or 503
   */
  default void onHandshakeRejected(HandshakeRejection reason, int httpStatus) {}

  /**
   * A message was read and decoded. It then ends as {@linkplain #onMessageHandled handled} (also a
   * call answered with an error without running its handler), or as {@linkplain #onDropped dropped}
   * (a message over the rate limit, or one still queued when its connection closed). Frames dropped
   * before they could be decoded (not an envelope, an unknown route or an invalid payload without
   * {@code rpcId}) are reported to {@link #onDropped} only.
   *
   * <p>Threading: on the connection's I/O thread.
   *
   * @param route the message's route, or {@link #UNKNOWN_ROUTE}
   * @param kind a call or a message
   */
  default void onMessageReceived(String route, MessageKind kind) {}

  /**
   * A received message was handled: its handler returned (for an asynchronous handler: its stage
   * completed) and a call was answered; or a call was answered with an error without running its
   * handler (unknown route, invalid payload), then {@code handlerNanos} is 0.
   *
   * <p>Threading: on the handler thread, or on the thread that completed an asynchronous handler's
   * stage; for a {@code @NonBlocking} route possibly on the I/O thread.
   *
   * @param route the message's route, or {@link #UNKNOWN_ROUTE}
   * @param kind a call or a message
   * @param queueWaitNanos how long the message waited between being read and its handling starting
   * @param handlerNanos how long the interceptors and the handler took, up to the answer
   * @param errorCode null when the handler succeeded, else the error code it was answered with (or,
   *     for a message, would have been), for example {@code "INVALID_PAYLOAD"} or {@code
   *     "INTERNAL"}
   */
  default void onMessageHandled(
      String route, MessageKind kind, long queueWaitNanos, long handlerNanos, String errorCode) {}

  /**
   * An event emitted on this server was written to its local recipients (and handed to the
   * backplane, if any). Events received from other nodes are reported to {@link
   * #onBackplaneReceived}.
   *
   * <p>Threading: on the thread that emitted it (a handler thread, usually).
   *
   * @param route the event's route
   * @param recipients the local connections it was written to (0 when none is connected here; also
   *     0 with connection-state recovery through a backplane's store, where events reach this
   *     node's recipients from the store's stream, a moment later)
   * @param bytes the size of the encoded frame, written once and shared by all recipients
   */
  default void onEventSent(String route, int recipients, int bytes) {}

  /**
   * A message was dropped: neither handled nor answered (see {@link DropReason}).
   *
   * <p>Threading: on the connection's I/O thread, or the handler thread for messages dropped from a
   * connection's queue.
   *
   * @param reason why
   */
  default void onDropped(DropReason reason) {}

  /**
   * A connection fell behind reading its events, and the slow consumer policy acted: it closed the
   * connection (once per connection) or dropped an event (once per event, also reported to {@link
   * #onDropped} as {@link DropReason#SLOW_CONSUMER}).
   *
   * <p>Threading: on the connection's I/O thread.
   *
   * @param action what the server did
   */
  default void onSlowConsumer(SlowConsumerAction action) {}

  /**
   * An event emitted on this server was handed to the backplane for the other nodes.
   *
   * <p>Threading: on the thread that emitted the event.
   *
   * @param bytes the size of the event's text
   */
  default void onBackplanePublished(int bytes) {}

  /**
   * An event published by another node arrived through the backplane and was written to this node's
   * recipients.
   *
   * <p>Threading: on the backplane's thread that received it.
   *
   * @param recipients the local connections it was written to
   * @param bytes the size of the event's text
   */
  default void onBackplaneReceived(int recipients, int bytes) {}

  /**
   * The backplane lost its connection: events are neither sent to nor received from other nodes
   * until {@link #onBackplaneRecovered}. Called once per outage.
   *
   * <p>Threading: on the backplane's own thread.
   */
  default void onBackplaneOutage() {}

  /**
   * The backplane is connected again after an {@link #onBackplaneOutage}.
   *
   * <p>Threading: on the backplane's own thread.
   */
  default void onBackplaneRecovered() {}

  /**
   * Events another node published to this node's channels did not arrive here: they were lost on
   * the way (this node was not subscribed while Redis failed over or reconnected, or the publishing
   * node dropped them because Redis was away or slow), so this node's recipients of them did not
   * get them. Counted from a gap in the publishing node's numbering of its events on one channel,
   * when a later event on that channel arrives; events lost at the end of an outage, with nothing
   * sent after them, are not known here. An event to several rooms counts once for each of its
   * rooms' channels it was lost on. A backplane that cannot lose events never calls this.
   *
   * <p>Threading: on the backplane's thread that received the event after the gap.
   *
   * @param fromNodeId the id of the node that published them
   * @param events how many, at least 1
   */
  default void onBackplaneLost(String fromNodeId, long events) {}

  /**
   * Events were dropped from the server's in-memory recovery store before their window had passed,
   * because the store had reached one of its bounds ({@code ZocketServer.Builder.recovery}'s most
   * events, or {@code ZocketServer.Builder.maxRecoveryMemory}'s bytes): a session that missed them
   * starts afresh when it resumes. Called once per event appended that pushed older ones out, with
   * how many it pushed out. Not called for the events that leave at the end of their window, nor by
   * a backplane's store (Redis trims its stream itself).
   *
   * <p>Threading: on the thread that emitted the event that pushed them out, under the store's
   * lock: must be quick.
   *
   * @param bound the bound that was reached
   * @param events how many events were dropped, at least 1
   * @param bytes what they were counted as taking (see {@code maxRecoveryMemory})
   */
  default void onRecoveryEvicted(RecoveryBound bound, int events, long bytes) {}

  /** Whether a message expects an answer. */
  enum MessageKind {
    /** A call: it carries an {@code rpcId} and is answered with a reply or an error. */
    CALL,
    /** A message without {@code rpcId}: never answered. */
    MESSAGE
  }

  /** What the server did to a slow consumer (see {@code ZocketServer.Builder.slowConsumers}). */
  enum SlowConsumerAction {
    /** Closed the connection with 1013 (try again later). */
    CLOSED,
    /** Dropped an event instead of writing it. */
    DROPPED
  }

  /** The bound of the in-memory recovery store that made it drop events early. */
  enum RecoveryBound {
    /** The most events it keeps. */
    MAX_EVENTS,
    /** The most bytes its events may take. */
    MAX_BYTES
  }

  /** Why a WebSocket handshake was refused. */
  enum HandshakeRejection {
    /** Not a readable HTTP request, a malformed URL or WebSocket handshake (400). */
    BAD_REQUEST,
    /** The server's connection limit was reached (503). */
    SERVER_FULL,
    /** The connection limit of the client's address was reached (429). */
    TOO_MANY_CONNECTIONS,
    /** The {@code Host} header is not among the allowed hosts (403). */
    HOST_NOT_ALLOWED,
    /** The {@code Origin} header is not among the allowed origins (403). */
    ORIGIN_NOT_ALLOWED,
    /** Not the server's WebSocket path (404). */
    NOT_FOUND,
    /** A WebSocket version other than 13 (426). */
    UNSUPPORTED_VERSION,
    /** The authenticator refused the request with {@code UNAUTHORIZED} (401). */
    UNAUTHORIZED,
    /** The authenticator refused the request with another code (403). */
    FORBIDDEN,
    /** The handshake headers did not bind to their type or broke a constraint (400). */
    INVALID_HEADERS,
    /** The authenticator failed (500). */
    INTERNAL_ERROR
  }
}
