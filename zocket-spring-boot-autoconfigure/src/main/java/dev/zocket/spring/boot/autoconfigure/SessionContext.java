package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.Context;
import dev.zocket.Emitter;
import dev.zocket.RoomSet;

/**
 * The {@link Context} injected into {@link ZocketHandler} beans: the session's latest connection,
 * so that a bean that outlives a dropped connection (under connection-state recovery) reaches the
 * one its client resumed on.
 *
 * <p>Threading: thread-safe; every method may be called from any thread, as {@link Context}'s.
 */
final class SessionContext implements Context<Object> {
  private volatile Context<?> connection;

  void connect(Context<?> ctx) {
    this.connection = ctx;
  }

  @Override
  public String clientId() {
    return connection.clientId();
  }

  @Override
  public Object user() {
    return connection.user();
  }

  @Override
  public RoomSet rooms() {
    return connection.rooms();
  }

  @Override
  public <E> Emitter<E> emit(Class<E> events) {
    return connection.emit(events);
  }

  @Override
  public Object attribute(String name) {
    return connection.attribute(name);
  }

  @Override
  public void attribute(String name, Object value) {
    connection.attribute(name, value);
  }

  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "Context(" + connection + ")";
  }
}
