package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.Connection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the handlers of one connection see of it, the {@link Context}: its client id, user context
 * and attributes (its rooms and emitters are its {@link ServerConnection}'s); and its handlers, for
 * the dispatcher ({@link Connection}). The connection's life, rooms and answers are its {@link
 * ServerConnection}'s. Any thread: the fields are set before the handlers first run and read from
 * any thread; the attributes are a concurrent map, made by the first value set (so that a
 * connection without attributes pays for none; kept in this object rather than one of their own,
 * which would cost every connection its header), copied when its session is parked and into the
 * connection that resumes it.
 */
abstract sealed class ConnectionContext implements Connection, Context<Object>
    permits ServerConnection {
  /**
   * Set before the connection is registered: a new id, or the id of the session it resumes (or a
   * new one again, if that session could not be resumed).
   */
  volatile String clientId;

  volatile Object user;
  volatile Object[] handlers;

  /** Made by the first value set ({@link #attribute(String, Object)}). */
  private volatile ConcurrentHashMap<String, Object> attributes;

  private static final VarHandle ATTRIBUTES;

  static {
    try {
      ATTRIBUTES =
          MethodHandles.lookup()
              .findVarHandle(ConnectionContext.class, "attributes", ConcurrentHashMap.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  ConnectionContext(String clientId) {
    this.clientId = clientId;
  }

  @Override
  public final Context<?> context() {
    return this;
  }

  @Override
  public final Object handler(int index) {
    return handlers[index];
  }

  @Override
  public final String clientId() {
    return clientId;
  }

  @Override
  public final Object user() {
    return user;
  }

  @Override
  public final Object attribute(String name) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> values = attributes;
    return values == null ? null : values.get(name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public final void attribute(String name, Object value) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> values = attributes;
    if (value == null) {
      if (values != null) {
        values.remove(name);
      }
      return;
    }
    if (values == null) {
      ConcurrentHashMap<String, Object> made = new ConcurrentHashMap<>();
      values =
          ATTRIBUTES.compareAndSet(this, null, made)
              ? made
              : (ConcurrentHashMap<String, Object>) ATTRIBUTES.getVolatile(this);
    }
    values.put(name, value);
  }

  /** What the attributes hold now, as an immutable map, for a session that is kept. */
  final Map<String, Object> attributesSnapshot() {
    ConcurrentHashMap<String, Object> values = attributes;
    return values == null ? Map.of() : Map.copyOf(values);
  }

  /** Takes the attributes of a resumed session. */
  final void restoreAttributes(Map<String, Object> saved) {
    if (saved != null && !saved.isEmpty()) {
      attributes = new ConcurrentHashMap<>(saved);
    }
  }

  /** Forgets every attribute. */
  final void clearAttributes() {
    attributes = null;
  }

  @Override
  public final String toString() {
    return "Connection(" + clientId + ")";
  }
}
