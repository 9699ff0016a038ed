package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.beans.factory.config.Scope;

/**
 * The {@value ZocketHandler#SCOPE} scope: the beans of one Zocket session (one connection, or all
 * the connections of a recovered session), keyed by client id. Beans are created only inside {@link
 * #inConnection}, which the server's handler factories call; they are destroyed by {@link #end}
 * from the server's {@code onDisconnect}, and the rest by {@link #endAll} when the server stops.
 *
 * <p>Threading: thread-safe. A session's beans are created on the thread that opens its connection
 * and ended on the thread that runs its {@code onDisconnect}; the server never runs both at once
 * for one session.
 */
final class ConnectionScope implements Scope {
  private static final Logger log = LoggerFactory.getLogger(ConnectionScope.class);

  /** The name of the bean definition of the connection's {@link Context}. */
  static final String CONTEXT_BEAN = "zocketConnectionContext";

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ThreadLocal<Session> current = new ThreadLocal<>();

  /**
   * Runs {@code create} with the session of {@code ctx} current on this thread, so that the beans
   * it gets from the bean factory are that session's.
   */
  <T> T inConnection(Context<?> ctx, Supplier<T> create) {
    Session session = sessions.computeIfAbsent(ctx.clientId(), id -> new Session());
    session.context.connect(ctx);
    Session previous = current.get();
    current.set(session);
    try {
      return create.get();
    } finally {
      if (previous == null) {
        current.remove();
      } else {
        current.set(previous);
      }
    }
  }

  /** The current session's context, for the {@link #CONTEXT_BEAN} bean. */
  Context<?> currentContext() {
    return currentSession(CONTEXT_BEAN).context;
  }

  /** Ends the session of a client: runs the destruction callbacks of its beans. */
  void end(String clientId) {
    Session session = sessions.remove(clientId);
    if (session != null) {
      session.destroy(clientId);
    }
  }

  /** Ends every session left, for a server that has stopped. */
  void endAll() {
    for (String clientId : List.copyOf(sessions.keySet())) {
      end(clientId);
    }
  }

  /** The number of sessions that have beans; for tests. */
  int sessionCount() {
    return sessions.size();
  }

  @Override
  public Object get(String name, ObjectFactory<?> objectFactory) {
    Session session = currentSession(name);
    synchronized (session) {
      Object bean = session.beans.get(name);
      if (bean == null) {
        bean = objectFactory.getObject();
        session.beans.put(name, bean);
      }
      return bean;
    }
  }

  @Override
  public Object remove(String name) {
    Session session = current.get();
    if (session == null) {
      return null;
    }
    synchronized (session) {
      session.callbacks.remove(name);
      return session.beans.remove(name);
    }
  }

  @Override
  public void registerDestructionCallback(String name, Runnable callback) {
    Session session = currentSession(name);
    synchronized (session) {
      session.callbacks.put(name, callback);
    }
  }

  @Override
  public Object resolveContextualObject(String key) {
    return null;
  }

  @Override
  public String getConversationId() {
    Session session = current.get();
    return session == null ? null : session.context.clientId();
  }

  private Session currentSession(String name) {
    Session session = current.get();
    if (session == null) {
      throw new IllegalStateException(
          "No Zocket connection on this thread for bean '"
              + name
              + "' of scope '"
              + ZocketHandler.SCOPE
              + "': the server creates these beans for each connection; a singleton cannot"
              + " have them injected (inject the bean into a @ZocketHandler instead)");
    }
    return session;
  }

  /** One session's beans, in creation order, and their destruction callbacks. */
  private static final class Session {
    final SessionContext context = new SessionContext();
    final Map<String, Object> beans = new LinkedHashMap<>();
    final Map<String, Runnable> callbacks = new LinkedHashMap<>();

    void destroy(String clientId) {
      List<Runnable> toRun;
      synchronized (this) {
        toRun = new ArrayList<>(callbacks.values());
        callbacks.clear();
        beans.clear();
      }
      // Dependents were created after their dependencies: end them first.
      for (int i = toRun.size() - 1; i >= 0; i--) {
        try {
          toRun.get(i).run();
        } catch (RuntimeException e) {
          log.warn("Destroying a bean of client {} failed", clientId, e);
        }
      }
    }
  }
}
