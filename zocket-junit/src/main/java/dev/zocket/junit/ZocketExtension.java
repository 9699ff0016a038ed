package dev.zocket.junit;

import dev.zocket.ContractException;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import java.lang.reflect.Parameter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs a real {@link ZocketServer} for tests and connects real clients to
 * it: registered with {@code @RegisterExtension} on a field, it starts the server the given builder
 * describes, injects connected clients into the parameters of test and lifecycle methods, and
 * closes every client it made and then the server.
 *
 * <pre>{@code
 * class GreeterHandlerTest {
 *   @RegisterExtension
 *   static final ZocketExtension zocket =
 *       ZocketExtension.inProcess(() -> ZocketServer.builder().handle(Greeter.class, GreeterHandler::new));
 *
 *   @Test
 *   void greets(@Client Greeter greeter) throws Exception {
 *     assertThat(greeter.greet(new Greet("Ada")).get(10, SECONDS)).isEqualTo(new Greeting("Hello, Ada!"));
 *   }
 * }
 * }</pre>
 *
 * <h2>One server per class, or per test</h2>
 *
 * As JUnit does for every extension: on a {@code static} field the server starts before the first
 * test of the class (and of its {@code @Nested} classes) and closes after the last; on an instance
 * field each test gets its own server (JUnit makes a test instance, and so an extension, per test),
 * started before its {@code @BeforeEach} methods and closed after its {@code @AfterEach} methods. A
 * class annotated {@code @TestInstance(PER_CLASS)} has one instance, and so one server, for all its
 * tests either way.
 *
 * <h2>Clients</h2>
 *
 * A parameter of a test, {@code @BeforeEach}, {@code @AfterEach}, {@code @BeforeAll} or
 * {@code @AfterAll} method gets:
 *
 * <ul>
 *   <li>{@code ZocketServer}: the running server (for {@code emit}, {@code connectionCount}...);
 *   <li>{@code ZocketClient}: a new client, connected;
 *   <li>a contract interface annotated {@link Client @Client}: {@code proxy(contract)} of a new
 *       client, connected. {@code @Client(headers = "user-name: Ada")} sets handshake headers, on a
 *       {@code ZocketClient} parameter too.
 * </ul>
 *
 * Each parameter gets a client of its own. {@link #connect(UnaryOperator)} makes a client with
 * anything else a builder sets (event listeners, timeouts...). Every client is built by {@link
 * ZocketClient#builder(URI)} on the server's URI, configured first by {@link
 * #clients(UnaryOperator)}. A client made for a test (its parameters, those of its
 * {@code @BeforeEach} and {@code @AfterEach} methods, and {@code connect} called on the test's
 * thread) is closed after the test, before its server if the server is the test's own; a client of
 * a {@code @BeforeAll} method, or made by {@code connect} on another thread, is closed with the
 * server.
 *
 * <p>A parameter the extension cannot give fails the test with a {@link
 * ParameterResolutionException} that names it: {@code @Client} on a type that is neither {@code
 * ZocketClient} nor an interface, an interface that breaks a contract rule (with the {@link
 * ContractException}'s message), a header not written {@code "name: value"}, or a client that could
 * not connect (with the cause).
 *
 * <p>Threading: thread-safe. {@link #server()}, {@link #uri()} and {@code connect} may be called
 * from any thread while the server runs; the clients are {@link ZocketClient}s.
 */
public final class ZocketExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        AfterAllCallback,
        ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ZocketExtension.class);

  private final Supplier<? extends ZocketServer.Builder<?, ?>> builder;
  private final boolean inProcess;
  private final UnaryOperator<ZocketClient.Builder> clients;

  /** The clients {@code connect} made on a test's thread, closed after that test. */
  private final ThreadLocal<Clients> testClients = new ThreadLocal<>();

  // Guarded by this.
  private ZocketServer server;

  /** The unique id of the class context that started the server; null for a server per test. */
  private String owner;

  /** The clients closed with the server. */
  private Clients serverClients;

  private ZocketExtension(
      Supplier<? extends ZocketServer.Builder<?, ?>> builder,
      boolean inProcess,
      UnaryOperator<ZocketClient.Builder> clients) {
    this.builder = builder;
    this.inProcess = inProcess;
    this.clients = clients;
  }

  /**
   * An extension whose server runs {@linkplain ZocketServer.Builder#inProcess() in process}: no
   * socket and no port, clients of this JVM reach it at its {@code local://} URI through the same
   * handshake, frames and dispatcher.
   *
   * @param server a new builder of the server, configured (handlers, headers, limits...) but not
   *     started; called once per server the extension starts
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static ZocketExtension inProcess(Supplier<? extends ZocketServer.Builder<?, ?>> server) {
    return new ZocketExtension(
        Objects.requireNonNull(server, "server == null"), true, UnaryOperator.identity());
  }

  /**
   * An extension whose server listens on {@code 127.0.0.1}, on a free port: for tests that need a
   * socket (TLS, the per-address limit, an HTTP handler, a client of another language).
   *
   * @param server a new builder of the server, configured (handlers, headers, limits, TLS...) but
   *     not started; its host and port are overridden. Called once per server the extension starts
   * @return the extension, to register with {@code @RegisterExtension}
   */
  public static ZocketExtension onFreePort(Supplier<? extends ZocketServer.Builder<?, ?>> server) {
    return new ZocketExtension(
        Objects.requireNonNull(server, "server == null"), false, UnaryOperator.identity());
  }

  /**
   * A copy of this extension whose clients are configured by {@code configure} first, before the
   * headers of a {@link Client @Client} parameter or the {@code configure} of {@link
   * #connect(UnaryOperator)}: for example a trust manager for TLS, a call timeout, or headers every
   * client sends.
   *
   * @param configure sets up a client's builder and returns it
   * @return the new extension, to register with {@code @RegisterExtension}
   */
  public ZocketExtension clients(UnaryOperator<ZocketClient.Builder> configure) {
    Objects.requireNonNull(configure, "configure == null");
    UnaryOperator<ZocketClient.Builder> first = clients;
    return new ZocketExtension(builder, inProcess, b -> configure.apply(first.apply(b)));
  }

  /**
   * The running server. Any thread.
   *
   * @return the server
   * @throws IllegalStateException if no server runs: before the class's tests (static field) or a
   *     test (instance field) started it, or after it was closed
   */
  public synchronized ZocketServer server() {
    if (server == null) {
      throw new IllegalStateException(
          "No Zocket server is running: ZocketExtension starts it before the tests of the class"
              + " (static field) or before each test (instance field), and closes it after them");
    }
    return server;
  }

  /**
   * Where clients reach the running server: {@code local://name/} in process, else {@code
   * ws://127.0.0.1:port/} (or {@code wss://} with TLS). Any thread.
   *
   * @return the server's URI
   * @throws IllegalStateException if no server runs (see {@link #server()})
   */
  public URI uri() {
    return server().uri();
  }

  /**
   * Connects a new client to the server, configured only by {@link #clients(UnaryOperator)}; it is
   * closed as {@link #connect(UnaryOperator)} says.
   *
   * @return the connected client
   * @throws IllegalStateException if no server runs (see {@link #server()})
   */
  public ZocketClient connect() {
    return connect(UnaryOperator.identity());
  }

  /**
   * Connects a new client to the server; blocks until it is open. Made on a test's thread (in the
   * test or its {@code @BeforeEach} and {@code @AfterEach} methods) it is closed after the test;
   * made elsewhere (a {@code @BeforeAll} method, another thread) it is closed with the server.
   * Closing it earlier is fine. Any thread.
   *
   * @param configure sets up the builder after {@link #clients(UnaryOperator)} did: headers, event
   *     listeners ({@code on}), timeouts...; returns it
   * @return the connected client
   * @throws IllegalStateException if no server runs (see {@link #server()})
   * @throws RuntimeException what {@link ZocketClient.Builder#connect()} throws when the client
   *     cannot connect
   */
  public ZocketClient connect(UnaryOperator<ZocketClient.Builder> configure) {
    Objects.requireNonNull(configure, "configure == null");
    Clients owners = testClients.get();
    if (owners == null) {
      synchronized (this) {
        server();
        owners = serverClients;
      }
    }
    return newClient(configure, owners);
  }

  private ZocketClient newClient(UnaryOperator<ZocketClient.Builder> configure, Clients owners) {
    ZocketClient.Builder b = clients.apply(ZocketClient.builder(uri()));
    ZocketClient client =
        Objects.requireNonNull(configure.apply(b), "configure returned null").connect();
    owners.add(client);
    return client;
  }

  // ------------------------------------------------------------------ JUnit callbacks

  /** Starts the server for the class, unless an enclosing class's already runs. */
  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (server == null) {
      start();
      owner = context.getUniqueId();
    }
  }

  /** Starts the test's own server, unless a class-wide one runs; then collects its clients. */
  @Override
  public void beforeEach(ExtensionContext context) {
    synchronized (this) {
      if (server == null) {
        start();
        owner = null;
      }
    }
    testClients.set(new Clients());
  }

  /** Closes the test's clients, then the test's own server. */
  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Closer closer = new Closer();
    closer.close(parameterClients(context));
    Clients made = testClients.get();
    testClients.remove();
    closer.close(made);
    synchronized (this) {
      if (owner == null) {
        stop(closer);
      }
    }
    closer.rethrow();
  }

  /** Closes the clients of the class's {@code @BeforeAll} methods, then the class's server. */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Closer closer = new Closer();
    closer.close(parameterClients(context));
    synchronized (this) {
      if (server != null && context.getUniqueId().equals(owner)) {
        stop(closer);
      }
    }
    closer.rethrow();
  }

  private void start() {
    ZocketServer.Builder<?, ?> b =
        Objects.requireNonNull(builder.get(), "the server supplier of ZocketExtension gave null");
    server = inProcess ? b.inProcess().start() : b.host("127.0.0.1").port(0).start();
    serverClients = new Clients();
  }

  private void stop(Closer closer) {
    closer.close(serverClients);
    closer.close(server);
    server = null;
    serverClients = null;
    owner = null;
  }

  // ------------------------------------------------------------------ parameters

  /**
   * True for a {@code ZocketServer} or {@code ZocketClient} parameter, and for any parameter
   * annotated {@link Client @Client} (which {@link #resolveParameter} rejects if it is of a type
   * the extension cannot give).
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ZocketServer.class
        || type == ZocketClient.class
        || parameter.isAnnotated(Client.class);
  }

  /**
   * The server, or a new connected client (or a contract proxy of one) closed after the test, as
   * the class documentation says.
   *
   * @throws ParameterResolutionException naming the parameter, when it cannot be given
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Parameter p = parameter.getParameter();
    Class<?> type = p.getType();
    boolean annotated = parameter.isAnnotated(Client.class);
    if (type == ZocketServer.class && !annotated) {
      return running(parameter);
    }
    if (type != ZocketClient.class && (!type.isInterface() || type.isAnnotation())) {
      throw new ParameterResolutionException(
          "@Client on "
              + describe(parameter)
              + ": ZocketExtension gives a ZocketClient or a contract interface, not "
              + type.getName());
    }
    List<String[]> headers = headers(parameter);
    running(parameter);
    ZocketClient client;
    try {
      client =
          newClient(
              b -> {
                headers.forEach(h -> b.header(h[0], h[1]));
                return b;
              },
              parameterClients(context, true));
    } catch (RuntimeException e) {
      throw new ParameterResolutionException(
          "ZocketExtension could not connect a client for " + describe(parameter) + ": " + e, e);
    }
    if (type == ZocketClient.class) {
      return client;
    }
    try {
      return client.proxy(type);
    } catch (ContractException e) {
      throw new ParameterResolutionException(
          describe(parameter)
              + " is not a Zocket contract ZocketExtension can give: "
              + e.getMessage(),
          e);
    }
  }

  private ZocketServer running(ParameterContext parameter) {
    synchronized (this) {
      if (server == null) {
        throw new ParameterResolutionException(
            "No Zocket server is running for "
                + describe(parameter)
                + ": ZocketExtension starts it before the tests of the class (static field) or"
                + " before each test (instance field); a constructor of a class with"
                + " @TestInstance(PER_CLASS) runs before that. Take it in a @BeforeAll,"
                + " @BeforeEach or test method");
      }
      return server;
    }
  }

  private static List<String[]> headers(ParameterContext parameter) {
    List<String[]> headers = new ArrayList<>();
    for (Client c : parameter.findAnnotation(Client.class).map(List::of).orElse(List.of())) {
      for (String header : c.headers()) {
        int colon = header.indexOf(':');
        String name = colon < 0 ? "" : header.substring(0, colon).trim();
        if (name.isEmpty()) {
          throw new ParameterResolutionException(
              "@Client header '"
                  + header
                  + "' of "
                  + describe(parameter)
                  + ": write it \"name: value\"");
        }
        headers.add(new String[] {name, header.substring(colon + 1).trim()});
      }
    }
    return headers;
  }

  private static String describe(ParameterContext parameter) {
    Parameter p = parameter.getParameter();
    return "parameter ["
        + p.getType().getSimpleName()
        + " "
        + p.getName()
        + "] of "
        + parameter.getDeclaringExecutable();
  }

  /** The clients made for the parameters of {@code context}'s methods; null if none. */
  private Clients parameterClients(ExtensionContext context) {
    return parameterClients(context, false);
  }

  private Clients parameterClients(ExtensionContext context, boolean create) {
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    // The context's own id in the key: a store also answers with what its ancestors hold.
    List<Object> key = List.of(this, context.getUniqueId());
    if (create) {
      return store.getOrComputeIfAbsent(key, k -> new Clients(), Clients.class);
    }
    return store.remove(key, Clients.class);
  }

  /** Clients to close together; a JUnit store closes the ones still in it when its context ends. */
  private static final class Clients implements AutoCloseable {
    private final List<ZocketClient> clients = new ArrayList<>();

    synchronized void add(ZocketClient client) {
      clients.add(client);
    }

    @Override
    public void close() {
      Closer closer = new Closer();
      List<ZocketClient> toClose;
      synchronized (this) {
        toClose = new ArrayList<>(clients);
        clients.clear();
      }
      toClose.forEach(closer::close);
      closer.rethrowUnchecked();
    }
  }

  /** Closes everything it is given, keeping the first failure and suppressing the others. */
  private static final class Closer {
    private Throwable failure;

    void close(AutoCloseable closeable) {
      if (closeable == null) {
        return;
      }
      try {
        closeable.close();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        } else {
          failure.addSuppressed(t);
        }
      }
    }

    void rethrow() throws Exception {
      if (failure instanceof Exception e) {
        throw e;
      }
      rethrowUnchecked();
    }

    void rethrowUnchecked() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      if (failure != null) {
        throw new IllegalStateException("Closing failed", failure);
      }
    }
  }
}
