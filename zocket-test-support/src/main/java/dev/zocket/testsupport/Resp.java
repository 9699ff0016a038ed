package dev.zocket.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Just enough of RESP 2 to send one command to a Redis node and read its reply as text. */
final class Resp {
  private Resp() {}

  /**
   * Sends one command to one node over RESP and returns a simple, bulk or integer reply as text, an
   * array's elements joined by newlines, or null when the node does not answer.
   */
  static String command(int port, String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(2000);
      StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        req.append(a).append("\r\n");
      }
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return Resp.read(s.getInputStream());
    } catch (IOException e) {
      return null;
    }
  }

  /** Reads one reply; see {@link #command}. */
  private static String read(InputStream in) throws IOException {
    String line = line(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+':
      case ':':
        return rest;
      case '-':
        return "ERR " + rest;
      case '$':
        int n = Integer.parseInt(rest);
        if (n < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(n + 2);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      case '*':
        int count = Integer.parseInt(rest);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < count; i++) {
          if (i > 0) {
            all.append('\n');
          }
          all.append(read(in));
        }
        return all.toString();
      default:
        throw new IOException("not a RESP reply: " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        return b.toString();
      }
      b.append((char) c);
    }
    throw new IOException("connection closed");
  }
}
