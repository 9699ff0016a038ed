package dev.zocket.internal;

import java.util.regex.Pattern;

/**
 * The constants of the Zocket protocol (v1), defined once for the server, the client and the
 * backplanes: the version a client announces, the envelope's field names, the reserved reply type,
 * and the rule for node ids.
 *
 * <pre>{@code
 * {"type":"rooms.join","payload":{"roomId":"general"},"rpcId":"7"}        // a call
 * {"type":"__rpc_res","payload":["alice"],"rpcId":"7"}                    // its reply
 * {"type":"__rpc_res","rpcId":"8","error":{"code":..,"message":..,"details":[..]}} // or a failure
 * }</pre>
 */
public final class Protocol {
  /** The protocol version this code speaks; a client sends it as {@link #VERSION_HEADER}. */
  public static final String VERSION = "1";

  /** The header (or query parameter) that carries the client's protocol version. */
  public static final String VERSION_HEADER = "x-zocket-version";

  /** The type of every reply to a call. */
  public static final String REPLY_TYPE = "__rpc_res";

  /**
   * The start of route and namespace names reserved for the protocol, as in {@link #REPLY_TYPE}.
   */
  public static final String RESERVED_PREFIX = "__";

  /** The envelope's route, or {@link #REPLY_TYPE}. */
  public static final String TYPE = "type";

  /** The envelope's payload: a request's or an event's argument, or a reply's value. */
  public static final String PAYLOAD = "payload";

  /** The envelope's call id: set on a call and echoed by its reply. */
  public static final String RPC_ID = "rpcId";

  /** The envelope's error object, on the reply to a failed call; also a rejected handshake's. */
  public static final String ERROR = "error";

  /** An error object's code, one of {@link dev.zocket.ErrorCodes}. */
  public static final String CODE = "code";

  /** An error object's message, or a detail's. */
  public static final String MESSAGE = "message";

  /** The list of an error's details, each a JSON path and a message. */
  public static final String DETAILS = "details";

  /** A detail's JSON path. */
  public static final String PATH = "path";

  /** The rule for a backplane's node id, in the words of the messages that enforce it. */
  public static final String NODE_ID_RULE = "1 to 32 characters among A-Z a-z 0-9 - _";

  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  private Protocol() {}

  /**
   * Whether a string is a valid node id ({@link #NODE_ID_RULE}): node ids prefix client ids as
   * {@code <nodeId>.<random>}, so they must not contain a dot.
   */
  public static boolean isNodeId(String id) {
    return id != null && NODE_ID.matcher(id).matches();
  }

  /**
   * Whether a client announcing {@code version} speaks this protocol: {@link #VERSION} or one of
   * its minor versions ({@code 1.x}).
   */
  public static boolean speaks(String version) {
    return version.equals(VERSION) || version.startsWith(VERSION + ".");
  }
}
