package dev.zocket.examples.chat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacks that took the chat server down, each against the packaged jar with a small heap
 * ({@code -Xmx128m}), while two healthy members exchange a message every 200 ms: after each attack
 * the healthy members have lost nothing, and the server answered a new client during the attack and
 * after it. Every attacker loop is bounded in count and time; only 127.0.0.1 is a target.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
final class ChatAttackIT {
  private final Processes processes = new Processes();
  private Processes.ChatServer chat;
  private Processes.Output server;
  private int port;
  private Healthy healthy;

  @BeforeEach
  void start() throws Exception {
    // The attackers and the healthy clients all come from 127.0.0.1: without the per-address limit
    // (its own test is ChatServerTest's), the other limits are what each attack meets.
    chat =
        processes.chatServer(
            List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
            0,
            "--max-connections-per-address",
            "0");
    server = chat.output();
    port = chat.port();
    healthy = new Healthy(URI.create("ws://127.0.0.1:" + port + "/"));
  }

  @AfterEach
  void stop() throws Exception {
    if (healthy != null) {
      healthy.close();
    }
    processes.stop();
  }

  @Test
  void aPingFloodThatNeverReadsCostsNoMemory() throws Exception {
    // Each sends a million pings and reads nothing; before, one grew the heap by 245 MB.
    List<Thread> attackers = new ArrayList<>();
    List<RawClient> sockets = new ArrayList<>();
    AtomicInteger pings = new AtomicInteger();
    for (int a = 0; a < 4; a++) {
      RawClient attacker = RawClient.connect(port, "/?user-name=pinger", 4096);
      sockets.add(attacker);
      Thread t =
          new Thread(
              () -> {
                byte[] ping =
                    RawClient.frame(RawClient.PING, true, 0, "are you there".getBytes(UTF_8));
                byte[] batch = new byte[ping.length * 1000];
                for (int i = 0; i < 1000; i++) {
                  System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                try (attacker) {
                  for (int i = 0; i < 1000 && System.nanoTime() < deadline; i++) {
                    attacker.sendRaw(batch);
                    pings.addAndGet(1000);
                  }
                } catch (IOException e) {
                  // the server ended the stream: fine, the test checks the server
                }
              });
      t.start();
      attackers.add(t);
    }
    newClientChats("during the ping flood");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
    for (Thread t : attackers) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
    }
    // An attacker whose write blocks (the server stopped reading it: it reads none of its pongs)
    // would wait for the idle timeout; closing its socket ends the write.
    for (RawClient attacker : sockets) {
      attacker.close();
    }
    for (Thread t : attackers) {
      t.join(10_000);
    }
    assertThat(pings.get()).isGreaterThan(100_000);
    newClientChats("after the ping flood");
    healthy.assertNothingLost();
  }

  @Test
  void legacyAndUnknownWebSocketVersionsGet426() throws Exception {
    String hixie76 =
        "GET /?user-name=old HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\n"
            + "Connection: Upgrade\r\n"
            + "Upgrade: WebSocket\r\n"
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
            + "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n"
            + "\r\n"
            + "^n:ds[4U";
    for (String request :
        List.of(hixie76, upgrade("7"), upgrade("8"), upgrade("12"), upgrade(null))) {
      try (Socket s = socket()) {
        s.getOutputStream().write(request.getBytes(ISO_8859_1));
        // The Hixie-76 attack went on with a frame start that never ends.
        s.getOutputStream().write(new byte[] {0x00, 'x', 'y', 'z'});
        String head = readHead(s.getInputStream());
        assertThat(head)
            .startsWith("HTTP/1.1 426 ")
            .containsIgnoringCase("sec-websocket-version: 13");
        assertThat(readsEof(s)).as("closed after the answer").isTrue();
      }
    }
    newClientChats("after the legacy handshakes");
    healthy.assertNothingLost();
    assertThat(server.linesSoFar()).noneMatch(line -> line.contains("Exception"));
  }

  @Test
  void manyConnectionsInManyRoomsWithLongIdsCannotExhaustTheHeap() throws Exception {
    // 60 connections x 100 rooms x 60,000-character ids: about 360 MB of ids for a 128 MB heap.
    String pad = "r".repeat(60_000);
    List<RawClient> attackers = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    for (int a = 0; a < 60 && System.nanoTime() < deadline; a++) {
      RawClient attacker = RawClient.connect(port, "/?user-name=hoarder");
      attackers.add(attacker);
      for (int r = 0; r < 100; r++) {
        attacker.sendText(
            "{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + a + "-" + r + pad + "\"}}");
      }
    }
    // Joins past the server's room memory were refused; the server stays up and answers.
    newClientChats("while the hoarders hold their rooms");
    for (RawClient attacker : attackers) {
      attacker.close();
    }
    newClientChats("after the hoarders left");
    healthy.assertNothingLost();
  }

  @Test
  void aRequestThatDripsForEverIsClosedAtTheHandshakeDeadline() throws Exception {
    // 300 sockets each send a byte of an upgrade request every second: before, one byte every 5 s
    // kept a socket for ever, outside the connection limit.
    byte[] request = upgrade("13").getBytes(ISO_8859_1);
    List<Socket> drips = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      drips.add(socket());
    }
    // The server cuts them 10 s after they connected; a write fails once a close has reached this
    // side, so the loop ends early, before the 20th byte, only if every socket was cut as it
    // dripped.
    // (A busy machine makes each round last longer, never shorter: the cut comes in fewer rounds.)
    int closed = 0;
    for (int second = 0; second < 20 && closed < drips.size(); second++) {
      closed = 0;
      for (Socket s : drips) {
        try {
          s.getOutputStream().write(request[second]);
        } catch (IOException e) {
          closed++;
        }
      }
      if (second == 3) {
        newClientChats("while the requests drip");
      }
      Thread.sleep(1000);
    }
    assertThat(closed).as("dripping sockets cut before their 20th byte").isEqualTo(drips.size());
    for (Socket s : drips) {
      assertThat(readsEof(s)).as("a dripping socket is closed").isTrue();
      s.close();
    }
    newClientChats("after the drips");
    healthy.assertNothingLost();
  }

  @Test
  void clientStringsCannotForgeLogLines() throws Exception {
    String forged = "03:00:00.000 INFO  admin logged in";
    String name = "evil\r\n" + forged + "\u001b[2J\u0000"; // 43 characters: valid even before
    try (ChatMember evil = new ChatMember(URI.create("ws://127.0.0.1:" + port + "/"), name)) {
      evil.joinAndWait("room\n" + forged);
      evil.post("not-a-member\r\n" + forged, "x"); // logged by the chat: not a member
      evil.joinAndWait("plain");
    }
    server.await(Pattern.compile("disconnected from rooms"));
    List<String> lines = server.linesSoFar();
    assertThat(lines).noneMatch(line -> line.startsWith(forged));
    assertThat(lines).noneMatch(line -> line.contains("\u001b") || line.contains("\u0000"));
    assertThat(lines).anyMatch(line -> line.contains("evil\\r\\n03:00:00.000 INFO"));
    healthy.assertNothingLost();
  }

  @Test
  void theSmallerOnes() throws Exception {
    // Bad percent-encoding: a 400 and no stack trace.
    try (Socket s = socket()) {
      s.getOutputStream()
          .write(
              ("GET /?user-name=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(ISO_8859_1));
      assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 400 ");
    }
    // The origin's scheme counts: an https page is not the server's own http origin. (The raw
    // client's Host is 127.0.0.1, without the port.)
    assertThat(RawClient.upgrade(port, "/?user-name=x", Map.of("Origin", "https://127.0.0.1")))
        .extracting(RawClient.HttpReply::status)
        .isEqualTo(403);
    RawClient.connect(port, "/?user-name=x", Map.of("Origin", "http://127.0.0.1")).close();
    // Invalid close codes are answered 1002, never echoed.
    for (int code : new int[] {1005, 5000, 65535}) {
      try (RawClient c = RawClient.connect(port, "/?user-name=closer")) {
        c.send(RawClient.CLOSE, true, ByteBuffer.allocate(2).putShort((short) code).array());
        assertThat(c.readSkippingPings().closeStatus()).isEqualTo(1002);
      }
    }
    // A URL of 8 KB is read; beyond, 400.
    String name = URLEncoder.encode("n".repeat(7_000), UTF_8);
    RawClient.connect(port, "/?user-name=" + name).close();
    assertThat(RawClient.upgrade(port, "/?user-name=" + "n".repeat(9_000), Map.of()).status())
        .isEqualTo(400);
    // The page's security headers are HTTP headers.
    HttpResponse<String> page = chat.get("/");
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'"));
    newClientChats("after the small ones");
    healthy.assertNothingLost();
    assertThat(server.linesSoFar()).noneMatch(line -> line.contains("Exception"));
  }

  // ------------------------------------------------------------------ helpers

  /** A new member connects, joins a room, posts and reads its message back. */
  private void newClientChats(String when) throws Exception {
    URI url = URI.create("ws://127.0.0.1:" + port + "/");
    try (ChatMember late = new ChatMember(url, "Newcomer")) {
      late.joinAndWait("lobby");
      late.post("lobby", "hello " + when);
      late.nextMessage("lobby", "Newcomer", "hello " + when);
    }
  }

  private String upgrade(String version) {
    return "GET /?user-name=v HTTP/1.1\r\nHost: 127.0.0.1:"
        + port
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + (version == null ? "" : "Sec-WebSocket-Version: " + version + "\r\n")
        + "\r\n";
  }

  private Socket socket() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** The status line and headers of an HTTP response. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Whether the server closed the socket: reads reach the end (or a reset) within 2 s. */
  private static boolean readsEof(Socket s) throws IOException {
    s.setSoTimeout(2_000);
    try {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Two members that exchange a message every 200 ms, and check that every one arrives. */
  private static final class Healthy implements AutoCloseable {
    private final ChatMember alice;
    private final ChatMember bob;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread sender;

    Healthy(URI url) throws InterruptedException {
      alice = new ChatMember(url, "Alice");
      bob = new ChatMember(url, "Bob");
      alice.joinAndWait("healthy");
      bob.joinAndWait("healthy");
      assertThat(alice.next()).isEqualTo(new Joined("healthy", "Bob"));
      sender =
          new Thread(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (running.get() && System.nanoTime() < deadline) {
                  alice.post("healthy", "h-" + sent.getAndIncrement());
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "healthy-sender");
      sender.start();
    }

    /** Stops sending and checks both members got every message, in order. */
    void assertNothingLost() throws InterruptedException {
      running.set(false);
      sender.join(10_000);
      int n = sent.get();
      assertThat(n).isPositive();
      for (int i = 0; i < n; i++) {
        alice.nextMessage("healthy", "Alice", "h-" + i);
        bob.nextMessage("healthy", "Alice", "h-" + i);
      }
    }

    @Override
    public void close() {
      running.set(false);
      alice.close();
      bob.close();
    }
  }
}
