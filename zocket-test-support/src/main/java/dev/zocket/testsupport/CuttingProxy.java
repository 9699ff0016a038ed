package dev.zocket.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 that forwards every connection to a port of 127.0.0.1 byte for byte, and
 * cuts the connections on demand: both sockets of each pair are reset (SO_LINGER 0, a TCP RST), so
 * neither the client nor the server gets a WebSocket close frame or even a FIN, as when a network
 * path dies mid-stream. For the tests of reconnection: {@link #cut()} drops the clients, {@link
 * #target(int)} sends their next connections to another server node.
 *
 * <p>One daemon thread accepts, and each connection is pumped by two daemon threads, one per
 * direction, all named {@code cutting-proxy-...}; every read chunk is written and flushed at once,
 * with TCP_NODELAY on both sockets. A half-close (EOF from one side) is passed on as a half-close
 * to the other; a connection ends normally when both directions have ended, and is reset at once
 * when either side fails. Nothing is logged.
 *
 * <p>Thread-safe: every method may be called from any thread.
 *
 * <pre>{@code
 * try (CuttingProxy proxy = CuttingProxy.start(server.port())) {
 *   client.connect(proxy.wsUri());
 *   proxy.target(secondServer.port());
 *   proxy.cut(); // the client reconnects, through the proxy, to the second server
 * }
 * }</pre>
 */
public final class CuttingProxy implements AutoCloseable {
  private static final int BUFFER_BYTES = 16 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final ServerSocket serverSocket;
  private final int port;
  private final ExecutorService pumps;
  private final Thread acceptor;
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile int targetPort;

  /** Guards {@link #pairs} and {@link #closed}. */
  private final Object lock = new Object();

  private final Set<Pair> pairs = new LinkedHashSet<>();
  private boolean closed;

  private CuttingProxy(ServerSocket serverSocket, int targetPort) {
    this.serverSocket = serverSocket;
    this.port = serverSocket.getLocalPort();
    this.targetPort = targetPort;
    AtomicInteger threads = new AtomicInteger();
    this.pumps =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread =
                  new Thread(task, "cutting-proxy-" + port + "-pump-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.acceptor = new Thread(this::acceptLoop, "cutting-proxy-" + port + "-accept");
    this.acceptor.setDaemon(true);
  }

  /**
   * Starts a proxy listening on an ephemeral port of 127.0.0.1 that forwards every connection to
   * {@code 127.0.0.1:targetPort}. Returns once it is listening. May be called from any thread.
   *
   * @param targetPort the port of 127.0.0.1 the connections go to, until {@link #target(int)}
   * @return the running proxy; close it
   * @throws IOException if the listening socket cannot be bound
   * @throws IllegalArgumentException if {@code targetPort} is not in 1..65535
   */
  public static CuttingProxy start(int targetPort) throws IOException {
    checkPort(targetPort);
    ServerSocket serverSocket = new ServerSocket();
    try {
      serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException | RuntimeException e) {
      serverSocket.close();
      throw e;
    }
    CuttingProxy proxy = new CuttingProxy(serverSocket, targetPort);
    proxy.acceptor.start();
    return proxy;
  }

  /**
   * The port the proxy listens on, on 127.0.0.1. May be called from any thread.
   *
   * @return the listening port
   */
  public int port() {
    return port;
  }

  /**
   * The URI of the proxy with {@code scheme}: {@code <scheme>://127.0.0.1:<port>/}. May be called
   * from any thread.
   *
   * @param scheme the scheme, such as {@code ws} or {@code http}
   * @return the URI
   */
  public URI uri(String scheme) {
    Objects.requireNonNull(scheme, "scheme == null");
    return URI.create(scheme + "://127.0.0.1:" + port + "/");
  }

  /**
   * The WebSocket URI of the proxy: {@code ws://127.0.0.1:<port>/}. May be called from any thread.
   *
   * @return the URI
   */
  public URI wsUri() {
    return uri("ws");
  }

  /**
   * Sends the connections accepted from now on to {@code 127.0.0.1:port}; the open ones keep going
   * where they went. May be called from any thread.
   *
   * @param port the new target port
   * @throws IllegalArgumentException if {@code port} is not in 1..65535
   */
  public void target(int port) {
    checkPort(port);
    targetPort = port;
  }

  /**
   * Cuts every connection open now, abruptly: both sockets of each pair, the client's and the
   * server's, are closed with SO_LINGER 0, so both ends get a TCP reset and no close frame. When it
   * returns, those sockets are closed and no further byte of them is forwarded. A connection
   * accepted whose onward connection is still being made is cut too. New connections keep being
   * accepted. May be called from any thread.
   *
   * @return how many connections (pairs of sockets) were cut
   */
  public int cut() {
    List<Pair> cut;
    synchronized (lock) {
      cut = new ArrayList<>(pairs);
      pairs.clear();
    }
    for (Pair pair : cut) {
      pair.reset();
    }
    return cut.size();
  }

  /**
   * Cuts every connection open now on the client's side only, and on the server's side {@code
   * serverLater} afterwards: the client gets a TCP reset at once, while the server sees its socket
   * open, and quiet, until then, as when a server is slow to notice a connection died. No further
   * byte is forwarded either way. May be called from any thread.
   *
   * @param serverLater how long the server's sockets stay open after the clients' are reset
   * @return how many connections (pairs of sockets) were cut
   */
  public int cutClientFirst(Duration serverLater) {
    List<Pair> cut;
    synchronized (lock) {
      cut = new ArrayList<>(pairs);
      pairs.clear();
    }
    for (Pair pair : cut) {
      pair.resetClient();
    }
    Executor later = CompletableFuture.delayedExecutor(serverLater.toNanos(), TimeUnit.NANOSECONDS);
    later.execute(
        () -> {
          for (Pair pair : cut) {
            pair.reset();
          }
        });
    return cut.size();
  }

  /**
   * How many connections the proxy has accepted since it started, cut or not. May be called from
   * any thread.
   *
   * @return the number of connections accepted
   */
  public int accepted() {
    return accepted.get();
  }

  /**
   * How many connections are open now: accepted and neither ended by both sides nor cut. May be
   * called from any thread.
   *
   * @return the number of open pairs
   */
  public int open() {
    synchronized (lock) {
      return pairs.size();
    }
  }

  /**
   * Stops accepting, cuts every open connection as {@link #cut()} does, and frees the port; waits
   * up to 5 seconds for the proxy's threads to end. Idempotent. May be called from any thread.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closeQuietly(serverSocket);
    cut();
    pumps.shutdown();
    boolean interrupted = false;
    try {
      acceptor.join(CLOSE_WAIT_MILLIS);
      pumps.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = serverSocket.accept();
      } catch (IOException e) {
        return; // closed: the only way out
      }
      accepted.incrementAndGet();
      Pair pair = new Pair(client);
      synchronized (lock) {
        if (closed) {
          pair.reset();
          continue;
        }
        pairs.add(pair);
      }
      Socket server = new Socket();
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        server.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
            CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        resetQuietly(server);
        drop(pair); // the target refuses: the client is reset as a dead path would
        continue;
      }
      if (!pair.connected(server)) {
        continue; // cut while connecting: reset() has reset both
      }
      try {
        pumps.execute(() -> pump(pair, client, server));
        pumps.execute(() -> pump(pair, server, client));
      } catch (RejectedExecutionException e) {
        drop(pair); // closing
      }
    }
  }

  private void pump(Pair pair, Socket from, Socket to) {
    byte[] buffer = new byte[BUFFER_BYTES];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) != -1) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput(); // pass the half-close on
    } catch (IOException e) {
      drop(pair); // one side failed, or the pair was cut
      return;
    }
    if (pair.directionEnded()) {
      boolean mine;
      synchronized (lock) {
        mine = pairs.remove(pair);
      }
      if (mine) {
        pair.closeNormally();
      }
    }
  }

  /** Resets {@code pair} unless a cut or a normal end has already taken it. */
  private void drop(Pair pair) {
    boolean mine;
    synchronized (lock) {
      mine = pairs.remove(pair);
    }
    if (mine) {
      pair.reset();
    }
  }

  private static void checkPort(int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port not in 1..65535: " + port);
    }
  }

  private static void resetQuietly(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // nothing to do
    }
  }

  /** A client's socket and, once connected, the server's. */
  private static final class Pair {
    private final Socket client;
    private final AtomicInteger directionsEnded = new AtomicInteger();

    /** Guarded by this: the server's socket, once connected; whether the pair was reset. */
    private Socket server;

    private boolean reset;

    Pair(Socket client) {
      this.client = client;
    }

    /** Attaches the server's socket; false (and resets it) if the pair was reset meanwhile. */
    boolean connected(Socket server) {
      synchronized (this) {
        if (!reset) {
          this.server = server;
          return true;
        }
      }
      resetQuietly(server);
      return false;
    }

    /** Counts a direction that reached EOF; true for the second. */
    boolean directionEnded() {
      return directionsEnded.incrementAndGet() == 2;
    }

    /** Resets the client's socket only; the server's stays open until {@link #reset}. */
    void resetClient() {
      synchronized (this) {
        reset = true; // a server socket still being connected is reset when it attaches
      }
      resetQuietly(client);
    }

    void reset() {
      Socket attached;
      synchronized (this) {
        reset = true;
        attached = server;
      }
      resetQuietly(client);
      if (attached != null) {
        resetQuietly(attached);
      }
    }

    void closeNormally() {
      Socket attached;
      synchronized (this) {
        attached = server;
      }
      closeQuietly(client);
      if (attached != null) {
        closeQuietly(attached);
      }
    }
  }
}
