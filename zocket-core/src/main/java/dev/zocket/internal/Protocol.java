package dev.zocket.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  /**
   * The version string the TypeScript Zocket library's version 1 sends and expects (it warns on any
   * other): the same protocol as {@link #VERSION}. Extensions are negotiated by their own
   * parameters, never by this string.
   */
  public static final String V1_LIBRARY_VERSION = "0.1.0";

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

  /**
   * The query parameter with which a client says it can recover its session (extension): the server
   * answers with a {@link #SESSION_TYPE} message first.
   */
  public static final String RECOVERY_HEADER = "x-zocket-recovery";

  /** The query parameter that carries the secret token of the session a client resumes. */
  public static final String SESSION_HEADER = "x-zocket-session";

  /** The query parameter that carries the last position the resuming client received. */
  public static final String POSITION_HEADER = "x-zocket-pos";

  /**
   * The type of the message a server with recovery sends first: {@code {"session":"<token>",
   * "pos":"<position>","recovered":true|false}}.
   */
  public static final String SESSION_TYPE = "__session";

  /** The envelope's position, on an event from a server with recovery. */
  public static final String POSITION = "pos";

  /** The session message's token. */
  public static final String SESSION = "session";

  /** The session message's flag: whether the earlier session was restored. */
  public static final String RECOVERED = "recovered";

  /**
   * The close code (extension, in the range RFC 6455 leaves to applications) of a connection whose
   * session another connection resumed: its client must not reconnect, or the two would take the
   * session from each other in turn.
   */
  public static final int TAKEN_OVER = 4001;

  /**
   * The query parameter (or header) with which a client says it answers acknowledged events
   * (extension): {@code x-zocket-acks=1}. Only such a client is sent an event that carries an
   * {@link #RPC_ID}, and it answers with an {@link #ACK_TYPE} message.
   */
  public static final String ACKS_HEADER = "x-zocket-acks";

  /**
   * The type of a client's answer to an acknowledged event (extension): {@code
   * {"type":"__ack","rpcId":"<the event's rpcId>","payload":..}}, or with {@code error} instead of
   * {@code payload} when the listener failed.
   */
  public static final String ACK_TYPE = "__ack";

  /**
   * The query parameter with which a client says it can consume streams (extension): a server that
   * knows streams starts one only for a client that sent {@code x-zocket-streams=1}. See the
   * Streams section of docs/protocol.md.
   */
  public static final String STREAMS_HEADER = "x-zocket-streams";

  /**
   * The type of a client's grant of credits to a stream: {@code payload} is how many more items.
   */
  public static final String STREAM_CREDIT_TYPE = "__stream_credit";

  /** The type of a client's cancellation of a stream: the server sends nothing more for it. */
  public static final String STREAM_CANCEL_TYPE = "__stream_cancel";

  /** The type of one item of a stream, with the stream's {@code rpcId} and the item as payload. */
  public static final String STREAM_ITEM_TYPE = "__stream_item";

  /**
   * The type of the end of a stream, with its {@code rpcId}: completion without {@code error}, a
   * failure with it.
   */
  public static final String STREAM_END_TYPE = "__stream_end";

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
   * An event's JSON text with its position added as the last field, {@code ,"pos":"<position>"}
   * before the closing brace.
   *
   * @param text a JSON object, as the server encodes events (no whitespace after the brace)
   * @param position a position: letters, digits, {@code -}, {@code _} and {@code .} only
   * @throws IllegalArgumentException if the text does not end with a brace or the position has
   *     other characters
   */
  public static byte[] withPosition(byte[] text, String position) {
    int n = text.length;
    if (n < 2 || text[n - 1] != '}') {
      throw new IllegalArgumentException("not a JSON object");
    }
    for (int i = 0; i < position.length(); i++) {
      char c = position.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_' && c != '.') {
        throw new IllegalArgumentException("a position has letters, digits, - _ and . only");
      }
    }
    boolean empty = text[n - 2] == '{';
    byte[] field =
        ((empty ? "" : ",") + "\"" + POSITION + "\":\"" + position + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(text, n - 1 + field.length);
    System.arraycopy(field, 0, out, n - 1, field.length);
    return out;
  }

  /**
   * Whether a client announcing {@code version} speaks this protocol: {@link #VERSION}, one of its
   * minor versions ({@code 1.x}), or {@link #V1_LIBRARY_VERSION}, the string of the TypeScript
   * Zocket library's version 1.
   */
  public static boolean speaks(String version) {
    return version.equals(VERSION)
        || version.startsWith(VERSION + ".")
        || version.equals(V1_LIBRARY_VERSION);
  }
}
