package dev.zocket.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb WebSocket client over a plain socket on 127.0.0.1, for what polite clients
 * never send: hand-written HTTP requests, binary, fragmented, oversized and broken frames, floods,
 * and a reader that stops reading. It never answers pings. Reads time out after 10 seconds.
 */
public final class RawClient implements AutoCloseable {
  /** The opcode of a text frame. */
  public static final int TEXT = 1;

  /** The opcode of a binary frame. */
  public static final int BINARY = 2;

  /** The opcode of a close frame. */
  public static final int CLOSE = 8;

  /** The opcode of a ping. */
  public static final int PING = 9;

  /** The opcode of a pong. */
  public static final int PONG = 10;

  /**
   * An HTTP response.
   *
   * @param status the status code
   * @param headers the headers, names lower-cased
   * @param body the body, as UTF-8
   */
  public record HttpReply(int status, Map<String, String> headers, String body) {}

  /**
   * A frame from the server.
   *
   * @param opcode the opcode
   * @param payload the payload
   * @param rsv the RSV1-3 bits (4 = RSV1: compressed)
   */
  public record Frame(int opcode, byte[] payload, int rsv) {
    /** The payload as UTF-8 text. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status of a close frame; -1 when it has none. */
    public int closeStatus() {
      return payload.length < 2 ? -1 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawClient(int port) throws IOException {
    this(port, 0);
  }

  private RawClient(int port, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the TCP window
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Sends one HTTP request (closing the connection) and reads the response. */
  public static HttpReply http(int port, String method, String target, Map<String, String> headers)
      throws IOException {
    try (RawClient c = new RawClient(port)) {
      c.writeRequest(method, target, headers, false);
      return c.readResponse();
    }
  }

  /** A WebSocket upgrade request with extra headers; returns the response. */
  public static HttpReply upgrade(int port, String target, Map<String, String> headers)
      throws IOException {
    try (RawClient c = new RawClient(port)) {
      c.writeRequest("GET", target, headers, true);
      return c.readResponse();
    }
  }

  /** Opens a WebSocket connection. */
  public static RawClient connect(int port, String target) throws IOException {
    return connect(port, target, Map.of());
  }

  /**
   * Opens a WebSocket connection whose socket has a small receive buffer, for a client that is to
   * stop reading: the server's writes then back up at once.
   */
  public static RawClient connect(int port, String target, int receiveBufferBytes)
      throws IOException {
    RawClient c = new RawClient(port, receiveBufferBytes);
    return c.upgrade(target, Map.of());
  }

  /** Opens a WebSocket connection with extra HTTP headers. */
  public static RawClient connect(int port, String target, Map<String, String> headers)
      throws IOException {
    return new RawClient(port).upgrade(target, headers);
  }

  private RawClient upgrade(String target, Map<String, String> headers) throws IOException {
    writeRequest("GET", target, headers, true);
    HttpReply reply = readResponse();
    if (reply.status() != 101) {
      close();
      throw new IOException("Upgrade refused: " + reply);
    }
    return this;
  }

  private void writeRequest(
      String method, String target, Map<String, String> headers, boolean upgrade)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1\r\n");
    if (upgrade) {
      sb.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
      sb.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    } else {
      sb.append("Connection: close\r\n");
    }
    headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    sb.append("\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private HttpReply readResponse() throws IOException {
    String status = readLine();
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    String body = "";
    if (headers.containsKey("content-length")) {
      byte[] b = new byte[Integer.parseInt(headers.get("content-length"))];
      in.readFully(b);
      body = new String(b, StandardCharsets.UTF_8);
    }
    return new HttpReply(code, headers, body);
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("Connection closed in the HTTP head");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  public void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one masked frame. */
  public void send(int opcode, boolean fin, byte[] payload) throws IOException {
    out.write(frame(opcode, fin, 0, payload));
    out.flush();
  }

  /** Sends bytes as they are. */
  public void sendRaw(byte[] wire) throws IOException {
    out.write(wire);
    out.flush();
  }

  /** One masked frame on the wire, with the given RSV bits (0 to 7). */
  public static byte[] frame(int opcode, boolean fin, int rsv, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    int n = payload.length;
    if (n < 126) {
      f.write(0x80 | n);
    } else if (n < 65536) {
      f.write(0x80 | 126);
      f.write(n >>> 8);
      f.write(n);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) n >>> shift));
      }
    }
    byte[] mask = {1, 2, 3, 4};
    f.write(mask, 0, 4);
    for (int i = 0; i < n; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /** The next frame, or null when the server closed the TCP connection. */
  public Frame read() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.readUnsignedByte();
    long n = b1 & 0x7f;
    if (n == 126) {
      n = in.readUnsignedShort();
    } else if (n == 127) {
      n = in.readLong();
    }
    byte[] payload = new byte[(int) n];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload, (b0 >> 4) & 0x07);
  }

  /** The next frame that is not a ping. */
  public Frame readSkippingPings() throws IOException {
    Frame f = read();
    while (f != null && f.opcode() == PING) {
      f = read();
    }
    return f;
  }

  /** Whether the server closed the TCP connection (reads and drops frames until then). */
  public boolean awaitEof() throws IOException {
    try {
      while (read() != null) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer
    }
  }

  /** Sets how long a read waits, in milliseconds; 0 for ever. */
  public void readTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /**
   * Ends the connection the way a lost network does, with a TCP reset and no close frame: the
   * server sees code 1006.
   */
  public void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }
}
