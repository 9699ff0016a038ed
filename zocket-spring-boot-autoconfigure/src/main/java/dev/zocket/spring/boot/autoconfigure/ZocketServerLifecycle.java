package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.netty.ZocketServer;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Runs the auto-configured {@link ZocketServer} with the application context: it starts when the
 * context has refreshed and stops in Spring Boot's graceful-shutdown phase, before the other beans
 * are destroyed: the server stops accepting connections, lets the calls in flight be answered
 * ({@code zocket.server.shutdown.grace-period}), closes every connection with 1001 (going away) and
 * ends their handler beans.
 *
 * <p>Once started, the environment holds {@value #LOCAL_PORT_PROPERTY} (the bound port, also with
 * {@code zocket.server.port=0}) and {@value #LOCAL_URI_PROPERTY} (where clients connect, a {@code
 * local://} URI for a server in process), as Boot's {@code local.server.port}.
 *
 * <pre>{@code
 * @Autowired ZocketServerLifecycle zocket;
 *
 * @Scheduled(fixedRate = 1000)
 * void tick() {
 *   zocket.server().emit(Clock.class).toAll().onTick(Instant.now());
 * }
 * }</pre>
 *
 * <p>Threading: thread-safe. {@link #start} runs on the thread that refreshes the context; {@link
 * #stop(Runnable)} closes the server on a thread of its own ({@code zocket-shutdown}), in parallel
 * with the graceful shutdown of Boot's web server, and reports to Spring when it is done.
 */
public final class ZocketServerLifecycle implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(ZocketServerLifecycle.class);

  /** The property that holds the bound port once the server runs: {@value}. */
  public static final String LOCAL_PORT_PROPERTY = "local.zocket.port";

  /** The property that holds the server's URI once it runs: {@value}. */
  public static final String LOCAL_URI_PROPERTY = "local.zocket.uri";

  /**
   * The phase: Spring Boot's graceful-shutdown phase ({@code
   * WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}, {@code DEFAULT_PHASE - 1024}), so
   * the server starts after the beans of earlier phases and stops together with the web server's
   * graceful shutdown, before they stop.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final String PROPERTY_SOURCE = "zocket.local";

  private final Supplier<ZocketServer> starter;
  private final Runnable afterStop;
  private final Environment environment;
  private volatile ZocketServer server;

  ZocketServerLifecycle(Supplier<ZocketServer> starter, Runnable afterStop, Environment env) {
    this.starter = starter;
    this.afterStop = afterStop;
    this.environment = env;
  }

  /**
   * The running server: its port, URI, connection count, and {@code emit} for events sent from
   * outside handlers.
   *
   * @return the server
   * @throws IllegalStateException if the server is not running (before the context has refreshed,
   *     or after it has closed)
   */
  public ZocketServer server() {
    ZocketServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "The Zocket server is not running: it starts when the application context has"
              + " refreshed, and stops when it closes");
    }
    return s;
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    ZocketServer started = starter.get();
    server = started;
    publish(started);
    log.info("Zocket server started on {}", started.uri());
  }

  @Override
  public void stop() {
    ZocketServer s;
    synchronized (this) {
      s = server;
      server = null;
    }
    if (s != null) {
      try {
        s.close();
      } finally {
        afterStop.run();
      }
    }
  }

  @Override
  public void stop(Runnable callback) {
    Thread t =
        new Thread(
            () -> {
              try {
                stop();
              } finally {
                callback.run();
              }
            },
            "zocket-shutdown");
    t.start();
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    ZocketServer s = server;
    return "ZocketServerLifecycle(" + (s == null ? "stopped" : s.uri()) + ")";
  }

  private void publish(ZocketServer started) {
    if (!(environment instanceof ConfigurableEnvironment env)) {
      return;
    }
    Map<String, Object> values = new java.util.HashMap<>();
    values.put(LOCAL_URI_PROPERTY, started.uri().toString());
    if (started.uri().getPort() >= 0) {
      values.put(LOCAL_PORT_PROPERTY, started.port());
    }
    PropertySource<?> source = new MapPropertySource(PROPERTY_SOURCE, values);
    if (env.getPropertySources().contains(PROPERTY_SOURCE)) {
      env.getPropertySources().replace(PROPERTY_SOURCE, source);
    } else {
      env.getPropertySources().addFirst(source);
    }
  }
}
