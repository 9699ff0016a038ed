package dev.zocket.examples.chat;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of {@code zocket-chat.jar}.
 *
 * <pre>
 * java -jar zocket-chat.jar [--host H] [--port N] [--redis URI]       the server (0.0.0.0:3000)
 * java -jar zocket-chat.jar client [--url U] [--name N] [--room R]    the console client
 * </pre>
 */
public final class Main {
  /** The server's default port. */
  public static final int DEFAULT_PORT = 3000;

  /** The server's default address: every interface. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  private static final String USAGE =
      String.join(
          "\n",
          "Usage:",
          "  java -jar zocket-chat.jar [--host H] [--port N] [--redis redis://host:port]",
          "      Starts the chat server (default " + DEFAULT_HOST + ":" + DEFAULT_PORT + ");",
          "      with --redis, as one node of a cluster sharing that Redis.",
          "  java -jar zocket-chat.jar client [--url ws://localhost:3000] [--name NAME] [--room"
              + " ROOM]",
          "      Starts the console client.");

  private Main() {}

  /**
   * Starts the server, or the console client when the first argument is {@code client}.
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
    String host = DEFAULT_HOST;
    int port = DEFAULT_PORT;
    String redis = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= args.length
          || !(arg.equals("--host") || arg.equals("--port") || arg.equals("--redis"))) {
        exitWithUsage(System.err, "Unknown or incomplete option: " + arg);
      }
      String value = args[++i];
      if (arg.equals("--host")) {
        host = value;
      } else if (arg.equals("--redis")) {
        redis = value;
      } else {
        port = parsePort(value);
      }
    }

    Logger log = LoggerFactory.getLogger(Main.class);
    ChatServer server;
    try {
      server = ChatServer.start(host, port, redis);
    } catch (IllegalArgumentException e) {
      exitWithUsage(System.err, e.getMessage());
      return;
    }
    String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
    log.info(
        "Chat server listening on {}:{}; open http://{}:{}/ in a browser, or connect to"
            + " ws://{}:{}/",
        host,
        server.port(),
        shown,
        server.port(),
        shown,
        server.port());
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

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    exitWithUsage(System.err, "Not a port (0-65535): " + value);
    return -1;
  }

  static void exitWithUsage(PrintStream err, String problem) {
    err.println(problem);
    err.println(USAGE);
    System.exit(2);
  }
}
