package dev.zocket.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.test.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CuttingProxyTest {
  private EchoServer first;
  private EchoServer second;
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServers() throws IOException {
    first = new EchoServer("a:");
    second = new EchoServer("b:");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    first.close();
    second.close();
  }

  @Test
  void forwardsBytesBothWays() throws IOException {
    CuttingProxy proxy = proxy(first.port());
    assertThat(proxy.wsUri()).isEqualTo(URI.create("ws://127.0.0.1:" + proxy.port() + "/"));
    assertThat(proxy.uri("http")).isEqualTo(URI.create("http://127.0.0.1:" + proxy.port() + "/"));

    Client client = client(proxy);
    assertThat(client.exchange("hello")).isEqualTo("a:hello");
    assertThat(client.exchange("again")).isEqualTo("a:again");
    String big = "x".repeat(300_000); // more than any socket buffer: it streams through the pumps
    assertThat(client.exchange(big)).isEqualTo("a:" + big);

    assertThat(proxy.accepted()).isEqualTo(1);
    assertThat(proxy.open()).isEqualTo(1);
    assertThat(first.accepted()).isEqualTo(1);
  }

  @Test
  void cutResetsBothSidesAndNewConnectionsStillWork() throws IOException {
    CuttingProxy proxy = proxy(first.port());
    Client client = client(proxy);
    assertThat(client.exchange("before")).isEqualTo("a:before");

    assertThat(proxy.cut()).isEqualTo(1);

    assertThat(proxy.open()).isZero();
    assertThat(client.readOutcome()).startsWith("reset");
    assertThat(Await.next("the echo server's side to end", first.ends)).startsWith("reset");
    assertThat(proxy.cut()).isZero();

    Client after = client(proxy);
    assertThat(after.exchange("after")).isEqualTo("a:after");
    assertThat(proxy.accepted()).isEqualTo(2);
    assertThat(proxy.open()).isEqualTo(1);
    assertThat(first.accepted()).isEqualTo(2);
  }

  @Test
  void cutCutsEveryOpenConnection() throws IOException {
    CuttingProxy proxy = proxy(first.port());
    Client one = client(proxy);
    Client two = client(proxy);
    assertThat(one.exchange("1")).isEqualTo("a:1");
    assertThat(two.exchange("2")).isEqualTo("a:2");
    assertThat(proxy.open()).isEqualTo(2);

    assertThat(proxy.cut()).isEqualTo(2);

    assertThat(one.readOutcome()).startsWith("reset");
    assertThat(two.readOutcome()).startsWith("reset");
    assertThat(Await.next("one server side to end", first.ends)).startsWith("reset");
    assertThat(Await.next("the other server side to end", first.ends)).startsWith("reset");
  }

  @Test
  void targetSendsNewConnectionsElsewhereAndKeepsOldOnes() throws IOException {
    CuttingProxy proxy = proxy(first.port());
    Client old = client(proxy);
    assertThat(old.exchange("x")).isEqualTo("a:x");

    proxy.target(second.port());
    Client fresh = client(proxy);
    assertThat(fresh.exchange("y")).isEqualTo("b:y");
    assertThat(old.exchange("z")).isEqualTo("a:z");

    assertThat(first.accepted()).isEqualTo(1);
    assertThat(second.accepted()).isEqualTo(1);
    assertThat(proxy.open()).isEqualTo(2);
  }

  @Test
  void aHalfCloseIsPassedOnAndTheConnectionEndsNormally() throws IOException {
    CuttingProxy proxy = proxy(first.port());
    Client client = client(proxy);
    assertThat(client.exchange("bye")).isEqualTo("a:bye");

    client.socket.shutdownOutput();

    assertThat(Await.next("the echo server to see the EOF", first.ends)).isEqualTo("EOF");
    assertThat(client.readOutcome()).isEqualTo("EOF"); // the echo server closed: a FIN, no reset
    Await.until("the pair to end", () -> proxy.open() == 0);
  }

  @Test
  void aRefusedTargetDropsTheClient() throws IOException {
    int closedPort;
    try (ServerSocket unused = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = unused.getLocalPort();
    }
    CuttingProxy proxy = proxy(closedPort);

    String outcome;
    try {
      // The reset can come so fast that it fails the client's connect itself.
      outcome = client(proxy).readOutcome();
    } catch (SocketException e) {
      outcome = "reset: " + e.getMessage();
    }

    assertThat(outcome).startsWith("reset");
    Await.until("the pair to end", () -> proxy.open() == 0);
    assertThat(proxy.accepted()).isEqualTo(1);
  }

  @Test
  void closeCutsEverythingAndFreesThePort() throws IOException {
    CuttingProxy proxy = CuttingProxy.start(first.port());
    Client client = client(proxy);
    assertThat(client.exchange("hi")).isEqualTo("a:hi");

    proxy.close();
    proxy.close(); // idempotent

    assertThat(client.readOutcome()).startsWith("reset");
    assertThat(Await.next("the echo server's side to end", first.ends)).startsWith("reset");
    assertThat(proxy.open()).isZero();
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), proxy.port()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void rejectsPortsOutOfRange() throws IOException {
    assertThatThrownBy(() -> CuttingProxy.start(0)).isInstanceOf(IllegalArgumentException.class);
    CuttingProxy proxy = proxy(first.port());
    assertThatThrownBy(() -> proxy.target(65_536)).isInstanceOf(IllegalArgumentException.class);
  }

  private CuttingProxy proxy(int targetPort) throws IOException {
    CuttingProxy proxy = CuttingProxy.start(targetPort);
    toClose.add(proxy);
    return proxy;
  }

  private Client client(CuttingProxy proxy) throws IOException {
    Client client = new Client(proxy.port());
    toClose.add(client);
    return client;
  }

  /** A line-based client with a 10-second read timeout. */
  private static final class Client implements AutoCloseable {
    final Socket socket = new Socket();
    final BufferedReader in;
    final OutputStream out;

    Client(int port) throws IOException {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
      socket.setSoTimeout(10_000);
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    String exchange(String line) throws IOException {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return in.readLine();
    }

    /** What the next read sees: "EOF", "reset: <message>", "timeout" or the data. */
    String readOutcome() {
      try {
        int c = in.read();
        return c == -1 ? "EOF" : "data: " + (char) c;
      } catch (SocketTimeoutException e) {
        return "timeout";
      } catch (IOException e) {
        return "reset: " + e.getMessage();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * Answers each line with the line behind a prefix, and records how each connection's reading
   * ended: "EOF" or "reset: <message>".
   */
  private static final class EchoServer implements AutoCloseable {
    final ServerSocket serverSocket;
    final String prefix;
    final BlockingQueue<String> ends = new LinkedBlockingQueue<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean closing;

    EchoServer(String prefix) throws IOException {
      this.prefix = prefix;
      serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::acceptLoop, "echo-" + prefix + "accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return serverSocket.getLocalPort();
    }

    int accepted() {
      return sockets.size();
    }

    private void acceptLoop() {
      while (true) {
        Socket socket;
        try {
          socket = serverSocket.accept();
        } catch (IOException e) {
          return;
        }
        sockets.add(socket);
        Thread handler = new Thread(() -> echo(socket), "echo-" + prefix + sockets.size());
        handler.setDaemon(true);
        handler.start();
      }
    }

    private void echo(Socket socket) {
      try (socket) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
          out.write(prefix + line + "\n");
          out.flush();
        }
        ends.add("EOF");
      } catch (IOException e) {
        if (!closing) {
          ends.add("reset: " + e.getMessage());
        }
      }
    }

    @Override
    public void close() throws IOException {
      closing = true;
      serverSocket.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
