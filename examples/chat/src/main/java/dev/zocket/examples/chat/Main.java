package dev.zocket.examples.chat;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of {@code zocket-chat.jar}.
 *
 * <pre>
 * java -jar zocket-chat.jar [--host H] [--port N] [--redis URI] [--max-connections-per-address N]
 *                                                                      the server (127.0.0.1:3000)
 * java -jar zocket-chat.jar client [--url U] [--name N] [--room R]    the console client
 * </pre>
 *
 * <p>SIGTERM (or Ctrl-C) stops the server through a shutdown hook, which {@code close()}s it: the
 * process ends within the server's grace period plus its shutdown timeout plus a second (16 s at
 * the defaults), whatever its connections and I/O threads are doing.
 *
 * <p>The server binds 127.0.0.1 by default, so that a demo started on a laptop is not open to its
 * network by accident; {@code --host 0.0.0.0} serves every interface. It takes at most {@value
 * ChatServer#DEFAULT_MAX_CONNECTIONS_PER_ADDRESS} connections of one remote address at once; {@code
 * --max-connections-per-address 0} lifts that, behind a proxy.
 */
public final class Main {
  private static final String PER_ADDRESS = "--max-connections-per-address";

  /** The server's default port. */
  public static final int DEFAULT_PORT = 3000;

  /**
   * The server's default address: this machine only ({@code --host 0.0.0.0} for every interface).
   */
  public static final String DEFAULT_HOST = "127.0.0.1";

  private static final String USAGE =
      String.join(
          "\n",
          "Usage:",
          "  java -jar zocket-chat.jar [--host H] [--port N] [--redis redis://host:port]",
          "                           [--max-connections-per-address N]",
          "      Starts the chat server (default "
              + DEFAULT_HOST
              + ":"
              + DEFAULT_PORT
              + ", this machine only;",
          "      --host 0.0.0.0 for every interface); with --redis, as one node of a cluster",
          "      sharing that Redis. At most N connections of one address at once (default "
              + ChatServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS
              + ";",
          "      0 for no limit, behind a proxy where every client has the proxy's address).",
          "  java -jar zocket-chat.jar client [--url ws://localhost:3000] [--name NAME] [--room"
              + " ROOM]",
          "      Starts the console client.");

  private Main() {}

  /**
   * Starts the server, or the console client when the first argument is {@code client}. A usage
   * error or a port that cannot be bound ends the process with status 2 and a message naming the
   * option to change, without a stack trace; {@code --help} prints the usage and ends with 0.
   *
   * @param args the command line
   */
  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("client")) {
      // Before the first logger is created, so that logback.xml sees it.
      System.setProperty("chat.log.level", "WARN");
      int status = ChatConsole.run(Arrays.copyOfRange(args, 1, args.length), System.in, System.out);
      System.exit(status);
    }
    ChatServer server;
    try {
      server = startServer(args, System.out);
    } catch (Exit exit) {
      if (exit.getMessage() != null) {
        System.err.println(exit.getMessage());
      }
      System.exit(exit.status);
      return;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutting down");
                  server.close();
                  stopped.countDown();
                },
                "chat-shutdown"));
    stopped.await();
  }

  /**
   * The server's command line: starts the server and returns it, running.
   *
   * @param args the command line, without {@code client}
   * @param out where {@code --help} prints the usage
   * @return the running server
   * @throws Exit to end the process instead: after {@code --help} (status 0, no message), or on a
   *     usage error or a port that cannot be bound (status 2, the message for standard error)
   */
  static ChatServer startServer(String[] args, PrintStream out) {
    String host = DEFAULT_HOST;
    int port = DEFAULT_PORT;
    String redis = null;
    int perAddress = ChatServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        out.println(USAGE);
        throw new Exit(0, null);
      }
      if (i + 1 >= args.length
          || !(arg.equals("--host")
              || arg.equals("--port")
              || arg.equals("--redis")
              || arg.equals(PER_ADDRESS))) {
        throw usageError("Unknown or incomplete option: " + arg);
      }
      String value = args[++i];
      if (arg.equals("--host")) {
        host = value;
      } else if (arg.equals("--redis")) {
        redis = value;
      } else if (arg.equals(PER_ADDRESS)) {
        perAddress = parseCount(value);
      } else {
        port = parsePort(value);
      }
    }

    ChatServer server;
    try {
      server = ChatServer.start(host, port, redis, perAddress);
    } catch (IllegalArgumentException e) {
      throw usageError(e.getMessage());
    } catch (UncheckedIOException e) {
      throw new Exit(
          2,
          e.getMessage()
              + "\nChoose another port with --port N (0 for any free port), or another address"
              + " with --host.");
    }
    String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
    LoggerFactory.getLogger(Main.class)
        .info(
            "Chat server listening on {}:{}; open http://{}:{}/ in a browser, or connect to"
                + " ws://{}:{}/",
            host,
            server.port(),
            shown,
            server.port(),
            shown,
            server.port());
    return server;
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw usageError("Not a port (0-65535) for --port: " + value);
  }

  private static int parseCount(String value) {
    try {
      int count = Integer.parseInt(value);
      if (count >= 0) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw usageError("Not a number of connections (0 or more) for " + PER_ADDRESS + ": " + value);
  }

  private static Exit usageError(String problem) {
    return new Exit(2, problem + "\n" + USAGE);
  }

  /** Ends the command instead of running it: the status to exit with, the message for stderr. */
  static final class Exit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    Exit(int status, String message) {
      super(message, null, false, false); // a command-line outcome, not an error: no stack trace
      this.status = status;
    }
  }
}
