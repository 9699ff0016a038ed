package dev.zocket.bench.attack;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code rooms.members} amplification of #24 against a running chat server (examples/chat), on
 * 127.0.0.1 only: {@code --members} clients with names of {@code --name-length} characters join one
 * room (reading everything meanwhile), then each sends {@code --calls} {@code rooms.members} calls,
 * whose answers list every name, and stops reading, with a small receive buffer; two witnesses chat
 * every {@code --interval-ms} throughout and a fresh client tries to chat every 2 s. After {@code
 * --hold} seconds the attackers' sockets are read for how the server closed them and then closed;
 * then fresh clients try to chat until one succeeds. Prints one JSON line: what the witnesses lost,
 * how the attackers were closed, the fresh clients during the attack, and the time to recover. Run
 * by {@code benchmarks/attack-members.sh}. Every loop is bounded in count and time.
 */
public final class MembersAttack {
  private static final Pattern CONTENT = Pattern.compile("\"content\":\"([a-z]+)-(\\d+|end)\"");

  private MembersAttack() {}

  /**
   * Runs the attack.
   *
   * @param args {@code --port P} and optionally {@code --members N --name-length N --calls N
   *     --receive-buffer BYTES --hold S --interval-ms MS --recover-timeout S}
   */
  public static void main(String[] args) throws Exception {
    int port = 0;
    int members = 300;
    int nameLength = 8000;
    int calls = 5;
    int receiveBuffer = 16 * 1024;
    int holdSeconds = 40;
    int intervalMs = 200;
    int recoverTimeout = 60;
    for (int i = 0; i + 1 < args.length; i += 2) {
      int v = Integer.parseInt(args[i + 1]);
      switch (args[i]) {
        case "--port" -> port = v;
        case "--members" -> members = v;
        case "--name-length" -> nameLength = v;
        case "--calls" -> calls = v;
        case "--receive-buffer" -> receiveBuffer = v;
        case "--hold" -> holdSeconds = v;
        case "--interval-ms" -> intervalMs = v;
        case "--recover-timeout" -> recoverTimeout = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (port <= 0) {
      throw new IllegalArgumentException("--port is required");
    }
    final int p = port;

    Witness a = new Witness("a", p);
    Witness b = new Witness("b", p);
    a.other = b;
    b.other = a;
    ScheduledChat chat = new ScheduledChat(List.of(a, b), intervalMs);
    chat.start();

    // Joining: the attackers read everything (the join notices of 8 KB names to every member).
    List<Attacker> attackers = new ArrayList<>();
    ExecutorService readers = Executors.newFixedThreadPool(members + 1);
    long joinStart = System.nanoTime();
    for (int i = 0; i < members; i++) {
      Attacker at = new Attacker(p, name(i, nameLength), receiveBuffer);
      attackers.add(at);
      at.ws.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"big\"}}");
      at.drain = readers.submit(at::drain);
    }
    // Quiet for 1 s: every join notice has arrived. At most 120 s.
    long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < joinDeadline) {
      long last = 0;
      for (Attacker at : attackers) {
        last = Math.max(last, at.lastRead.get());
      }
      if (System.nanoTime() - last > TimeUnit.SECONDS.toNanos(1)) {
        break;
      }
      Thread.sleep(100);
    }
    long joinMs = (System.nanoTime() - joinStart) / 1_000_000;
    // One more member, the last to join, makes one members call and reads the answer whole.
    int replyBytes = 0;
    try (Ws probe = Ws.connect(p, name(members, nameLength), 0, 30_000)) {
      probe.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"big\"}}");
      probe.sendText(membersCall("probe"));
      for (int i = 0; i < 100 && replyBytes == 0; i++) {
        Ws.Frame f = probe.read(64 << 20);
        if (f.opcode() == 1 && f.text().contains("\"rpcId\":\"probe\"")) {
          replyBytes = f.payload().length;
        }
      }
    }
    for (Attacker at : attackers) {
      at.stopDraining = true;
    }
    for (Attacker at : attackers) {
      at.drain.get(10, TimeUnit.SECONDS);
    }

    // The attack: every attacker sends its calls and reads no more.
    long attackStart = System.nanoTime();
    for (Attacker at : attackers) {
      for (int k = 0; k < calls; k++) {
        at.ws.sendText(membersCall("m" + k));
      }
    }
    int freshOk = 0;
    int freshFailed = 0;
    long holdEnd = attackStart + TimeUnit.SECONDS.toNanos(holdSeconds);
    while (System.nanoTime() < holdEnd) {
      long t = System.nanoTime();
      if (fresh(p, 5000)) {
        freshOk++;
      } else {
        freshFailed++;
      }
      long rest = TimeUnit.SECONDS.toNanos(2) - (System.nanoTime() - t);
      if (rest > 0) {
        Thread.sleep(rest / 1_000_000);
      }
    }

    // How the server closed each attacker: read what it holds for it.
    List<Future<Integer>> outcomes = new ArrayList<>();
    for (Attacker at : attackers) {
      outcomes.add(readers.submit(at::outcome));
    }
    int closed1013 = 0;
    int closedOther = 0;
    int endedWithoutClose = 0;
    int stillOpen = 0;
    for (Future<Integer> f : outcomes) {
      int code = f.get(60, TimeUnit.SECONDS);
      if (code == 1013) {
        closed1013++;
      } else if (code == -1) {
        endedWithoutClose++;
      } else if (code == -2) {
        stillOpen++;
      } else {
        closedOther++;
      }
    }
    for (Attacker at : attackers) {
      at.ws.close();
    }
    readers.shutdownNow();
    long left = System.nanoTime();

    // Recovery: fresh clients until one chats, at most --recover-timeout seconds.
    long recoverMs = -1;
    int recoverTries = 0;
    long recoverDeadline = left + TimeUnit.SECONDS.toNanos(recoverTimeout);
    while (System.nanoTime() < recoverDeadline) {
      recoverTries++;
      if (fresh(p, 2000)) {
        recoverMs = (System.nanoTime() - left) / 1_000_000;
        break;
      }
      Thread.sleep(200);
    }

    chat.stop();
    a.sendEnd();
    b.sendEnd();
    long endDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(a.sawEnd && b.sawEnd) && System.nanoTime() < endDeadline) {
      Thread.sleep(20);
    }
    long lostByA = b.sent.get() - a.heard.size();
    long lostByB = a.sent.get() - b.heard.size();
    a.ws.close();
    b.ws.close();

    System.out.println(
        "{\"members\":"
            + members
            + ",\"nameLength\":"
            + nameLength
            + ",\"calls\":"
            + calls
            + ",\"receiveBuffer\":"
            + receiveBuffer
            + ",\"joinMs\":"
            + joinMs
            + ",\"membersReplyBytes\":"
            + replyBytes
            + ",\"attackersClosed1013\":"
            + closed1013
            + ",\"attackersClosedOther\":"
            + closedOther
            + ",\"attackersEndedWithoutClose\":"
            + endedWithoutClose
            + ",\"attackersStillOpen\":"
            + stillOpen
            + ",\"freshDuringAttackOk\":"
            + freshOk
            + ",\"freshDuringAttackFailed\":"
            + freshFailed
            + ",\"witnessSent\":["
            + a.sent.get()
            + ","
            + b.sent.get()
            + "],\"witnessLost\":["
            + lostByA
            + ","
            + lostByB
            + "],\"witnessMarkers\":"
            + (a.sawEnd && b.sawEnd)
            + ",\"recoverMs\":"
            + recoverMs
            + ",\"recoverTries\":"
            + recoverTries
            + "}");
    System.exit(0);
  }

  private static String name(int i, int length) {
    StringBuilder sb = new StringBuilder(length).append("member").append(i).append('-');
    while (sb.length() < length) {
      sb.append((char) ('a' + sb.length() % 26));
    }
    return sb.toString();
  }

  private static String membersCall(String id) {
    return "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\"big\"},\"rpcId\":\"" + id + "\"}";
  }

  /** A fresh client joins a room of its own, posts to it and reads its own message back. */
  private static boolean fresh(int port, int timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    String room = "fresh-" + ThreadLocalRandom.current().nextInt(1_000_000);
    try (Ws ws = Ws.connect(port, "fresh", 0, timeoutMs)) {
      ws.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
      ws.sendText(
          "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\""
              + room
              + "\",\"content\":\"f-1\"}}");
      for (int i = 0; i < 100 && System.nanoTime() < deadline; i++) {
        Ws.Frame f = ws.read(1 << 20);
        if (f.opcode == 8) {
          return false;
        }
        if (f.opcode == 1 && f.text().contains("\"content\":\"f-1\"")) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** A member of room "big" that reads while joining, then only sends. */
  private static final class Attacker {
    final Ws ws;
    final AtomicLong lastRead = new AtomicLong(System.nanoTime());
    final FrameScanner frames = new FrameScanner();
    final byte[] buffer = new byte[64 * 1024];
    volatile boolean stopDraining;
    Future<?> drain;

    Attacker(int port, String name, int receiveBuffer) throws IOException {
      this.ws = Ws.connect(port, name, receiveBuffer, 10_000);
    }

    /** Reads everything until told to stop (checked every 200 ms) or the server closes. */
    Void drain() throws IOException {
      ws.socket.setSoTimeout(200);
      InputStream in = ws.socket.getInputStream();
      while (!stopDraining) {
        try {
          int n = in.read(buffer);
          if (n < 0) {
            return null;
          }
          frames.feed(buffer, n);
          lastRead.set(System.nanoTime());
        } catch (SocketTimeoutException e) {
          // quiet: look at the flag again
        }
      }
      return null;
    }

    /**
     * Reads what the server holds for it, at most 10 s: the close code it got, -1 for the end of
     * the stream without a close frame, -2 if the connection is still open.
     */
    Integer outcome() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      try {
        ws.socket.setSoTimeout(2000);
        InputStream in = ws.socket.getInputStream();
        while (System.nanoTime() < deadline) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          frames.feed(buffer, n);
          if (frames.closeCode != 0) {
            return frames.closeCode;
          }
        }
        return frames.closeCode != 0 ? frames.closeCode : System.nanoTime() < deadline ? -1 : -2;
      } catch (SocketTimeoutException e) {
        return frames.closeCode != 0 ? frames.closeCode : -2;
      } catch (IOException e) {
        return frames.closeCode != 0 ? frames.closeCode : -1;
      }
    }
  }

  /** Follows the frames of a stream read in pieces, keeping only the code of a close frame. */
  static final class FrameScanner {
    private final byte[] header = new byte[14];
    private int headerLength;
    private int headerNeeded = 2;
    private long remaining = -1;
    private int opcode;
    private final byte[] closeBody = new byte[2];
    private int closeBodyLength;

    /** The code of the close frame read, 1005 without one in it, 0 before any. */
    int closeCode;

    void feed(byte[] b, int length) {
      int i = 0;
      while (i < length) {
        if (remaining < 0) {
          header[headerLength++] = b[i++];
          if (headerLength == 2) {
            int l = header[1] & 0x7f;
            headerNeeded = 2 + (l == 126 ? 2 : l == 127 ? 8 : 0);
          }
          if (headerLength == headerNeeded) {
            long n = header[1] & 0x7f;
            if (n == 126) {
              n = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            } else if (n == 127) {
              n = 0;
              for (int k = 2; k < 10; k++) {
                n = (n << 8) | (header[k] & 0xff);
              }
            }
            opcode = header[0] & 0x0f;
            remaining = n;
            headerLength = 0;
            headerNeeded = 2;
            closeBodyLength = 0;
            if (remaining == 0) {
              frameDone();
            }
          }
        } else {
          int n = (int) Math.min(remaining, length - i);
          for (int k = 0; k < n && opcode == 8 && closeBodyLength < 2; k++) {
            closeBody[closeBodyLength++] = b[i + k];
          }
          i += n;
          remaining -= n;
          if (remaining == 0) {
            frameDone();
          }
        }
      }
    }

    private void frameDone() {
      if (opcode == 8 && closeCode == 0) {
        closeCode =
            closeBodyLength < 2 ? 1005 : ((closeBody[0] & 0xff) << 8) | (closeBody[1] & 0xff);
      }
      remaining = -1;
    }
  }

  /** A healthy member of room "w": posts numbered messages and records the other's. */
  private static final class Witness {
    final String name;
    final Ws ws;
    final AtomicLong sent = new AtomicLong();
    final Set<Long> heard = ConcurrentHashMap.newKeySet();
    volatile boolean sawEnd;
    Witness other;

    Witness(String name, int port) throws IOException {
      this.name = name;
      this.ws = Ws.connect(port, "witness-" + name, 0, 10_000);
      ws.sendText("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"w\"}}");
      Thread reader = new Thread(this::read, "witness-" + name);
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try {
        ws.socket.setSoTimeout(0);
        for (; ; ) {
          Ws.Frame f = ws.read(16 << 20);
          if (f.opcode == 8) {
            return;
          }
          if (f.opcode != 1) {
            continue;
          }
          Matcher m = CONTENT.matcher(f.text());
          if (m.find() && other != null && m.group(1).equals(other.name)) {
            if (m.group(2).equals("end")) {
              sawEnd = true;
            } else {
              heard.add(Long.parseLong(m.group(2)));
            }
          }
        }
      } catch (IOException e) {
        // closed
      }
    }

    void say() throws IOException {
      long n = sent.get();
      ws.sendText(
          "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"w\",\"content\":\""
              + name
              + "-"
              + n
              + "\"}}");
      sent.incrementAndGet();
    }

    void sendEnd() throws IOException {
      ws.sendText(
          "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"w\",\"content\":\""
              + name
              + "-end\"}}");
    }
  }

  /** The witnesses' chat: each says something every interval. */
  private static final class ScheduledChat {
    private final List<Witness> witnesses;
    private final int intervalMs;
    private volatile boolean running = true;
    private Thread thread;

    ScheduledChat(List<Witness> witnesses, int intervalMs) {
      this.witnesses = witnesses;
      this.intervalMs = intervalMs;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                while (running) {
                  for (Witness w : witnesses) {
                    try {
                      w.say();
                    } catch (IOException e) {
                      return;
                    }
                  }
                  try {
                    Thread.sleep(intervalMs);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "chat");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(5000);
    }
  }

  /** A minimal WebSocket client on a blocking socket: masked text out, whole frames in. */
  static final class Ws implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    record Frame(int opcode, byte[] payload) {
      String text() {
        return new String(payload, StandardCharsets.UTF_8);
      }
    }

    private Ws(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    static Ws connect(int port, String name, int receiveBuffer, int timeoutMs) throws IOException {
      Socket s = new Socket();
      try {
        if (receiveBuffer > 0) {
          s.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the TCP window
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
        s.setSoTimeout(timeoutMs);
        s.setTcpNoDelay(true);
        Ws ws = new Ws(s);
        String request =
            "GET /?user-name="
                + name
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        ws.out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        ws.out.flush();
        // The response's head, byte by byte up to the empty line (at most 8 KiB).
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < 8192 && !head.toString().endsWith("\r\n\r\n"); i++) {
          int c = ws.in.read();
          if (c < 0) {
            throw new EOFException("closed during the upgrade");
          }
          head.append((char) c);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
          throw new IOException("upgrade refused: " + head.toString().lines().findFirst());
        }
        return ws;
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }

    synchronized void sendText(String text) throws IOException {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      int n = payload.length;
      byte[] frame = new byte[14 + n];
      int i = 0;
      frame[i++] = (byte) 0x81;
      if (n < 126) {
        frame[i++] = (byte) (0x80 | n);
      } else if (n < 65536) {
        frame[i++] = (byte) (0x80 | 126);
        frame[i++] = (byte) (n >> 8);
        frame[i++] = (byte) n;
      } else {
        frame[i++] = (byte) (0x80 | 127);
        for (int k = 7; k >= 0; k--) {
          frame[i++] = (byte) ((long) n >> (8 * k));
        }
      }
      byte[] mask = new byte[4];
      ThreadLocalRandom.current().nextBytes(mask);
      System.arraycopy(mask, 0, frame, i, 4);
      i += 4;
      for (int k = 0; k < n; k++) {
        frame[i + k] = (byte) (payload[k] ^ mask[k & 3]);
      }
      out.write(frame, 0, i + n);
      out.flush();
    }

    Frame read(int maxPayload) throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long n = b1 & 0x7f;
      if (n == 126) {
        n = in.readUnsignedShort();
      } else if (n == 127) {
        n = in.readLong();
      }
      if (n > maxPayload) {
        throw new IOException("frame of " + n + " bytes");
      }
      byte[] payload = new byte[(int) n];
      in.readFully(payload);
      return new Frame(b0 & 0x0f, payload);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
