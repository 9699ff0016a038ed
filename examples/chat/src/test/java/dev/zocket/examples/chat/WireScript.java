package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One script of raw frames and HTTP requests, good and bad, played against a chat server on a port
 * of 127.0.0.1, and the transcript of everything the server answered, frame by frame. Two servers
 * that answer alike give equal transcripts: {@code examples/chat-spring} compares its Spring Boot
 * application's with {@link ChatServer}'s.
 *
 * <p>Only what two correct servers must answer differently is normalized: the timestamps of
 * messages. Every frame is attributed to the step that caused it: every connection is in a sync
 * room, and after each step the sender posts a message to it, up to which every connection reads;
 * so a frame that came, or one that did not, shows in the transcript of that step. The sync room's
 * own events are left out.
 *
 * <p>Not thread-safe: one script plays on the calling thread; every read waits at most 10 s.
 */
public final class WireScript {
  private static final Pattern TIMESTAMP =
      Pattern.compile("\"timestamp\":\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\"");

  /** The room every connection joins, to settle each step (see {@link #settle}). */
  private static final String SYNC = "script.sync";

  /** The most frames one connection reads in one step. */
  private static final int MAX_FRAMES_PER_STEP = 100;

  private final int port;
  private final List<String> transcript = new ArrayList<>();
  private final Map<String, Connection> open = new LinkedHashMap<>();
  private int syncs;

  private WireScript(int port) {
    this.port = port;
  }

  /**
   * Plays the script against the chat server listening on {@code port} of 127.0.0.1 and returns its
   * transcript: a line per thing sent ({@code alice> ...}) and per thing answered ({@code alice<
   * ...}, {@code http ...}).
   *
   * @throws IOException if a connection fails where the script expects none to, or a read times out
   */
  public static List<String> play(int port) throws IOException {
    WireScript script = new WireScript(port);
    try {
      script.run();
    } catch (IOException e) {
      List<String> t = script.transcript;
      throw new IOException(
          "The script failed after:\n"
              + String.join("\n", t.subList(Math.max(0, t.size() - 20), t.size())),
          e);
    } finally {
      for (Connection c : script.open.values()) {
        c.raw.close();
      }
    }
    return List.copyOf(script.transcript);
  }

  /**
   * Where two transcripts first differ, with the lines before it; empty when they are equal.
   *
   * @param expected the transcript of the reference server
   * @param actual the transcript of the server compared with it
   * @return the first difference, described for a test failure
   */
  public static Optional<String> firstDifference(List<String> expected, List<String> actual) {
    int n = Math.min(expected.size(), actual.size());
    int at = 0;
    while (at < n && expected.get(at).equals(actual.get(at))) {
      at++;
    }
    if (at == n && expected.size() == actual.size()) {
      return Optional.empty();
    }
    String before = String.join("\n", expected.subList(Math.max(0, at - 10), at));
    return Optional.of(
        "the transcripts differ at line "
            + (at + 1)
            + ", after:\n"
            + before
            + "\nexpected: "
            + (at < expected.size() ? expected.get(at) : "(the end)")
            + "\nbut was:  "
            + (at < actual.size() ? actual.get(at) : "(the end)"));
  }

  private void run() throws IOException {
    http();

    connect("alice", "/?user-name=Alice");
    connect("bob", "/?user-name=Bob");
    connect("mallory", "/?user-name=Mallory");
    connect("anonymous", "/");
    connect("blank", "/?user-name=");

    // The seed's behaviour.
    text("alice", "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    text("bob", "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"general\"}}");
    text(
        "alice",
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"1\"}");
    text(
        "alice",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"hi\"}}");
    text(
        "mallory",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"x\"}}");
    text(
        "mallory",
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"2\"}");
    text("mallory", "{\"type\":\"rooms.leave\",\"payload\":{\"roomId\":\"general\"}}");
    text("anonymous", "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"lobby\"}}");
    text("blank", "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"lobby\"}}");
    text(
        "anonymous",
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"lobby\"},\"rpcId\":\"3\"}");
    text(
        "bob",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\""
            + "\\u0000 \\\"q\\\" </script> 👋🏽 \\ud83d\\ude00\"}}");
    text(
        "bob", "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + "r".repeat(60_000) + "\"}}");
    text(
        "bob",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\""
            + "m".repeat(65_000)
            + "\"}}");

    // Routes called the wrong way, or not at all.
    text(
        "alice",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"c\"},"
            + "\"rpcId\":\"4\"}");
    text("alice", "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"}}");
    text("alice", "{\"type\":\"rooms.nope\",\"payload\":{}}");
    text("alice", "{\"type\":\"rooms.nope\",\"payload\":{},\"rpcId\":\"5\"}");
    text("alice", "{\"type\":\"__rpc_res\",\"payload\":{},\"rpcId\":\"6\"}");
    text("alice", "{\"type\":\"\",\"payload\":{},\"rpcId\":\"7\"}");
    text("alice", "{\"type\":\"rooms\",\"rpcId\":\"8\"}");

    // Invalid payloads, as calls and as messages.
    for (String payload :
        List.of(
            "{\"roomId\":null}",
            "{\"roomId\":5}",
            "{\"roomId\":[\"general\"]}",
            "{}",
            "null",
            "\"general\"",
            "[]",
            "{\"roomId\":\"general\",\"extra\":1}",
            "{\"roomId\":\"general\",\"roomId\":\"other\"}",
            "{\"roomId\":\"general\",\"content\":{\"a\":1}}")) {
      text("mallory", "{\"type\":\"rooms.members\",\"payload\":" + payload + ",\"rpcId\":\"p\"}");
      text("mallory", "{\"type\":\"rooms.message\",\"payload\":" + payload + ",\"rpcId\":\"q\"}");
      text("mallory", "{\"type\":\"rooms.join\",\"payload\":" + payload + "}");
    }
    text("mallory", "{\"type\":\"rooms.members\",\"rpcId\":\"no-payload\"}");

    // Envelopes that are not envelopes.
    for (String frame :
        List.of(
            "{",
            "not json",
            "",
            "[]",
            "null",
            "42",
            "\"rooms.join\"",
            "{\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"9\"}",
            "{\"type\":5,\"payload\":{},\"rpcId\":\"10\"}",
            "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":11}",
            "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":null}",
            "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\""
                + "i".repeat(300)
                + "\"}",
            "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"12\"} x",
            "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"13\","
                + "\"extra\":true}",
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"deep\",\"x\":"
                + "[".repeat(2_000)
                + "]".repeat(2_000)
                + "},\"rpcId\":\"14\"}")) {
      text("mallory", frame);
    }

    // Frames of the protocol itself.
    send(
        "alice", "ping", RawClient.frame(RawClient.PING, true, 0, "are you there".getBytes(UTF_8)));
    send("alice", "pong", RawClient.frame(RawClient.PONG, true, 0, "unasked".getBytes(UTF_8)));
    byte[] join =
        "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"fragmented\"}}".getBytes(UTF_8);
    send(
        "alice",
        "a join in two fragments",
        concat(
            RawClient.frame(RawClient.TEXT, false, 0, slice(join, 0, 10)),
            RawClient.frame(0, true, 0, slice(join, 10, join.length))));

    // Frames that may end a connection, each on a connection of its own.
    alone("binary", RawClient.frame(RawClient.BINARY, true, 0, join));
    alone("invalid UTF-8", RawClient.frame(RawClient.TEXT, true, 0, new byte[] {'"', (byte) 0xc3}));
    alone("oversize", RawClient.frame(RawClient.TEXT, true, 0, new byte[65_537]));
    alone("reserved opcode", RawClient.frame(3, true, 0, new byte[0]));
    alone("RSV1 without an extension", RawClient.frame(RawClient.TEXT, true, 4, join));
    alone("continuation first", RawClient.frame(0, true, 0, join));
    alone("close 1005", RawClient.frame(RawClient.CLOSE, true, 0, closePayload(1005)));
    alone("close 4000", RawClient.frame(RawClient.CLOSE, true, 0, closePayload(4000)));

    // Leaving, and going away.
    text("bob", "{\"type\":\"rooms.leave\",\"payload\":{\"roomId\":\"general\"}}");
    text(
        "bob",
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"15\"}");
    text(
        "alice",
        "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"general\"},\"rpcId\":\"16\"}");
    send("bob", "close 1000", RawClient.frame(RawClient.CLOSE, true, 0, closePayload(1000)));
    text(
        "alice",
        "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"general\",\"content\":\"bye\"}}");
  }

  /** Plain HTTP and refused upgrades, before any connection. */
  private void http() throws IOException {
    for (String[] request :
        new String[][] {
          {"GET", "/"},
          {"GET", "/index.html"},
          {"GET", "/app.js?v=1"},
          {"GET", "/style.css"},
          {"POST", "/"},
          {"GET", "/nothing-here"},
          {"GET", "/../pom.xml"}
        }) {
      RawClient.HttpReply reply = RawClient.http(port, request[0], request[1], Map.of());
      transcript.add("http " + request[0] + " " + request[1] + " -> " + describe(reply));
    }
    Map<String, Map<String, String>> upgrades = new LinkedHashMap<>();
    upgrades.put("/?user-name=x", Map.of("Origin", "https://127.0.0.1"));
    upgrades.put("/?user-name=y", Map.of("Origin", "http://evil.example"));
    upgrades.put("/?user-name=%zz", Map.of());
    upgrades.put("/?user-name=" + "n".repeat(9_000), Map.of());
    for (Map.Entry<String, Map<String, String>> e : upgrades.entrySet()) {
      RawClient.HttpReply reply = RawClient.upgrade(port, e.getKey(), e.getValue());
      transcript.add(
          "upgrade "
              + abbreviate(e.getKey())
              + " "
              + new TreeMap<>(e.getValue())
              + " -> "
              + describe(reply));
    }
  }

  /** Opens a connection, which joins the sync room. */
  private void connect(String name, String target) throws IOException {
    Connection c = new Connection(name, RawClient.connect(port, target));
    open.put(name, c);
    transcript.add(name + " connected to " + target);
    c.raw.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + SYNC + "\"}}");
    settle(c);
  }

  /** Sends a text frame, then reads what every open connection got from it. */
  private void text(String who, String json) throws IOException {
    send(who, abbreviate(json), RawClient.frame(RawClient.TEXT, true, 0, json.getBytes(UTF_8)));
  }

  /** Sends bytes on one connection, then reads what every open connection got from them. */
  private void send(String who, String description, byte[] wire) throws IOException {
    transcript.add(who + "> " + description);
    Connection sender = open.get(who);
    sender.raw.sendRaw(wire);
    settle(sender);
  }

  /**
   * Reads what every open connection got from a step: the sender posts a sync message to the sync
   * room, and every connection reads up to it. The events of one connection's handler reach each
   * recipient in the order they were sent, so the step's come before it. When the step ended the
   * sender's connection, the sender reads up to the end instead.
   */
  private void settle(Connection sender) throws IOException {
    String sync = "sync-" + ++syncs;
    try {
      sender.raw.sendText(
          "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\""
              + SYNC
              + "\",\"content\":\""
              + sync
              + "\"}}");
    } catch (SocketException e) {
      // The server has closed the connection: what it sent before is still to read.
    }
    if (!readToSync(sender, sync)) {
      return;
    }
    for (Connection c : List.copyOf(open.values())) {
      if (c != sender) {
        readToSync(c, sync);
      }
    }
  }

  /**
   * Sends bytes on a new connection of its own, and reads what it got: up to the end of the
   * connection, or, when it stays open, what every connection got.
   */
  private void alone(String description, byte[] wire) throws IOException {
    connect("alone", "/?user-name=Alone");
    Connection c = open.get("alone");
    try {
      transcript.add("alone> " + description);
      c.raw.sendRaw(wire);
      settle(c);
    } finally {
      open.remove(c.name);
      c.raw.close();
    }
  }

  /**
   * Records what a connection reads up to the sync message; returns false when the connection ended
   * first.
   */
  private boolean readToSync(Connection c, String sync) throws IOException {
    for (int i = 0; i < MAX_FRAMES_PER_STEP; i++) {
      RawClient.Frame f = read(c);
      if (f == null) {
        transcript.add(c.name + "< end of stream");
        open.remove(c.name);
        return false;
      }
      String text = f.opcode() == RawClient.TEXT ? f.text() : "";
      if (inSyncRoom(text)) {
        if (text.contains("\"content\":\"" + sync + "\"")) {
          return true;
        }
        continue; // another connection's join of the sync room
      }
      transcript.add(c.name + "< " + describe(f));
      if (f.opcode() == RawClient.CLOSE) {
        readUntilClosed(c);
        open.remove(c.name);
        return false;
      }
    }
    throw new IOException(c.name + ": more than " + MAX_FRAMES_PER_STEP + " frames in one step");
  }

  /** Records the frames a connection reads up to the end of its stream. */
  private void readUntilClosed(Connection c) throws IOException {
    for (int i = 0; i < MAX_FRAMES_PER_STEP; i++) {
      RawClient.Frame f = read(c);
      if (f == null) {
        transcript.add(c.name + "< end of stream");
        return;
      }
      transcript.add(c.name + "< " + describe(f));
    }
    throw new IOException(c.name + ": more than " + MAX_FRAMES_PER_STEP + " frames before the end");
  }

  /** The next frame that is not a ping; null at the end of the stream, or after a reset. */
  private static RawClient.Frame read(Connection c) throws IOException {
    try {
      return c.raw.readSkippingPings();
    } catch (SocketException e) {
      return null; // reset: reported as the end, which is how the server's close can arrive
    }
  }

  /** Whether a frame is an event of the sync room. */
  private static boolean inSyncRoom(String text) {
    return text.startsWith("{\"type\":\"rooms.on")
        && text.contains("\",\"payload\":{\"roomId\":\"" + SYNC + "\",");
  }

  private static String describe(RawClient.Frame f) {
    String rsv = f.rsv() == 0 ? "" : " rsv=" + f.rsv();
    return switch (f.opcode()) {
      case RawClient.TEXT -> "text" + rsv + " " + abbreviate(normalize(f.text()));
      case RawClient.CLOSE ->
          "close"
              + rsv
              + " "
              + f.closeStatus()
              + (f.payload().length > 2
                  ? " " + new String(f.payload(), 2, f.payload().length - 2, UTF_8)
                  : "");
      default -> "opcode " + f.opcode() + rsv + " " + abbreviate(f.text());
    };
  }

  private static String describe(RawClient.HttpReply reply) {
    Map<String, String> headers = new TreeMap<>(reply.headers());
    return reply.status() + " " + headers + " body sha-256 " + sha256(reply.body());
  }

  /** The text with what two servers must answer differently replaced. */
  private static String normalize(String text) {
    return TIMESTAMP.matcher(text).replaceAll("\"timestamp\":\"(a timestamp)\"");
  }

  /** Long texts cut to their ends, with the number of characters left out. */
  private static String abbreviate(String text) {
    return text.length() <= 400
        ? text
        : text.substring(0, 200)
            + "...("
            + (text.length() - 300)
            + " more)..."
            + text.substring(text.length() - 100);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] closePayload(int code) {
    return ByteBuffer.allocate(2).putShort((short) code).array();
  }

  private static byte[] slice(byte[] bytes, int from, int to) {
    byte[] part = new byte[to - from];
    System.arraycopy(bytes, from, part, 0, part.length);
    return part;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** An open connection of the script, by name. */
  private record Connection(String name, RawClient raw) {}
}
