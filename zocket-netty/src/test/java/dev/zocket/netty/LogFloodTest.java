package dev.zocket.netty;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.zocket.ErrorCodes;
import dev.zocket.internal.RateLimitedLog;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Log floods (#24): what clients can make the server do over and over logs a bounded number of
 * lines. Each attack is replayed by {@value #ATTACKERS} looping clients, {@value #ROUNDS} rounds
 * each, while a healthy client makes round trips throughout; the server's log (every {@code
 * dev.zocket} logger at debug, through an appender only) is read once the server has closed.
 */
@Timeout(120)
class LogFloodTest {
  private static final int ATTACKERS = 20;
  private static final int ROUNDS = 25;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger zocket = (Logger) LoggerFactory.getLogger("dev.zocket");

  /** What an attacker does in one round, on the server's port. */
  private interface Round {
    void run(int port) throws IOException;
  }

  @BeforeEach
  void capture() {
    LeakDetection.install();
    logs.start();
    zocket.addAppender(logs);
    zocket.setLevel(Level.DEBUG);
    zocket.setAdditive(false); // not to the console
  }

  @AfterEach
  void release() {
    zocket.setAdditive(true);
    zocket.setLevel(null);
    zocket.detachAppender(logs);
    LeakDetection.assertNoLeaks();
  }

  @Test
  void aPeerGoneInTheMiddleOfAFragmentedMessageIsNoWarning() throws Exception {
    attack(
        Servers.standard(),
        port -> {
          try (RawClient c = RawClient.connect(port, "/?user-name=M")) {
            c.send(RawClient.TEXT, false, "{\"type\":\"t.echo\",\"pay".getBytes(UTF_8));
          }
        });
    assertPeerGoneAtDebugOnly();
  }

  @Test
  void aPeerGoneInTheMiddleOfAPostBodyIsNoWarning() throws Exception {
    attack(
        Servers.standard(),
        port ->
            sendAndClose(
                port,
                "POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"
                    + "0123456789"));
    assertPeerGoneAtDebugOnly();
  }

  @Test
  void aPeerGoneInTheMiddleOfAHixie76RequestIsNoWarning() throws Exception {
    attack(
        Servers.standard(),
        port ->
            sendAndClose(
                port,
                "GET /?user-name=M HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                    + "Upgrade: WebSocket\r\nOrigin: http://127.0.0.1\r\n"
                    + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n"
                    + "Sec-WebSocket-Key2: 12998 5  Y3 1  .P00\r\n\r\n"));
    assertPeerGoneAtDebugOnly();
  }

  @Test
  void aTooLongRoomIdIsTheClientsErrorNotTheServers() throws Exception {
    // Within the 64 characters the contract's payload allows.
    String join = "{\"roomId\":\"" + "x".repeat(17) + "\"}";
    attack(
        Servers.standard().maxRoomIdLength(16),
        port -> {
          try (JdkClient c = JdkClient.connect(port, "?user-name=M")) {
            for (int i = 0; i < 10; i++) {
              String id = c.call("t.join", join);
              assertThat(c.next())
                  .contains("\"rpcId\":\"" + id + "\"")
                  .contains("\"code\":\"" + ErrorCodes.LIMIT_EXCEEDED + "\"")
                  .contains("at most 16 characters");
            }
          }
        });
    assertThat(lines(Level.INFO)).isEmpty();
  }

  @Test
  void aFailingHandlerIsLoggedAtABoundedRate() throws Exception {
    attack(
        Servers.standard(),
        port -> {
          try (JdkClient c = JdkClient.connect(port, "?user-name=M")) {
            for (int i = 0; i < 10; i++) {
              String id = c.call("t.fail", "\"boom\"");
              assertThat(c.next())
                  .contains("\"rpcId\":\"" + id + "\"")
                  .contains("\"code\":\"" + ErrorCodes.INTERNAL + "\"");
            }
          }
        });
    // The test's timeout leaves room for three intervals at most.
    assertThat(lines(Level.INFO))
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo(3 * RateLimitedLog.LINES)
        .allSatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.ERROR);
              assertThat(e.getFormattedMessage())
                  .startsWith("Handler for 't.fail' (Api.fail) failed");
              assertThat(e.getThrowableProxy()).isNotNull();
            });
    // None lost from sight: the others went to debug.
    assertThat(
            lines(Level.DEBUG).stream()
                .filter(e -> e.getFormattedMessage().startsWith("Handler for 't.fail'")))
        .hasSize(ATTACKERS * ROUNDS * 10);
  }

  /**
   * Runs the attack from {@value #ATTACKERS} threads, {@value #ROUNDS} rounds each, while a healthy
   * client makes round trips and gets every answer; then closes the server, so that everything the
   * attack caused has been logged.
   */
  private void attack(ZocketServer.Builder<?, ?> builder, Round round) throws Exception {
    ExecutorService attackers = Executors.newFixedThreadPool(ATTACKERS);
    try (ZocketServer server = builder.start();
        JdkClient healthy = JdkClient.connect(server.port(), "?user-name=H")) {
      int port = server.port();
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < ATTACKERS; i++) {
        running.add(
            attackers.submit(
                () -> {
                  for (int r = 0; r < ROUNDS; r++) {
                    round.run(port);
                  }
                  return null;
                }));
      }
      int trips = 0;
      while (!running.stream().allMatch(Future::isDone) && trips < 100_000) {
        String id = healthy.call("t.echo", "{\"text\":\"hi\",\"n\":" + trips + "}");
        assertThat(healthy.next())
            .isEqualTo(
                "{\"type\":\"__rpc_res\",\"payload\":{\"text\":\"hi\",\"n\":"
                    + trips
                    + "},\"rpcId\":\""
                    + id
                    + "\"}");
        trips++;
      }
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS); // an attacker's failed assertion fails the test
      }
      healthy.sync();
    } finally {
      attackers.shutdownNow();
    }
  }

  /** Sends bytes on a fresh socket and closes it (a FIN: everything sent is read first). */
  private static void sendAndClose(int port, String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(ISO_8859_1));
      out.flush();
    }
  }

  /**
   * Asserts that the attack logged nothing at info or above, and that what it logged at debug (the
   * peer closed in the middle of a message, among others) came without a stack trace.
   */
  private void assertPeerGoneAtDebugOnly() {
    assertThat(lines(Level.INFO)).isEmpty();
    assertThat(lines(Level.DEBUG))
        .anySatisfy(
            e -> assertThat(e.getFormattedMessage()).contains("PrematureChannelClosureException"))
        .allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
  }

  /** The lines logged at {@code level} or above, less the server's own "closed" line. */
  private List<ILoggingEvent> lines(Level level) {
    synchronized (logs) { // the appender appends under its own lock
      return logs.list.stream()
          .filter(e -> e.getLevel().isGreaterOrEqual(level))
          .filter(e -> !e.getLoggerName().equals(ZocketServer.class.getName()))
          .toList();
    }
  }
}
