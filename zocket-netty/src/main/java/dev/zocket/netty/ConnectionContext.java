package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.Connection;

/**
 * What the handlers of one connection see of it, the {@link Context}: its client id, user context
 * and attributes (its rooms and emitters are its {@link ServerConnection}'s); and its handlers, for
 * the dispatcher ({@link Connection}). The connection's life, rooms and answers are its {@link
 * ServerConnection}'s. Any thread: the fields are set before the handlers first run and read from
 * any thread.
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
  final Attributes attributes = new Attributes();

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
    return attributes.get(name);
  }

  @Override
  public final void attribute(String name, Object value) {
    attributes.set(name, value);
  }

  @Override
  public final String toString() {
    return "Connection(" + clientId + ")";
  }
}
