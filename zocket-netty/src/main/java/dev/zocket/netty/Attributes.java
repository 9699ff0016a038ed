package dev.zocket.netty;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A connection's attributes ({@link dev.zocket.Context#attribute}): a map created by the first
 * value set, so that a connection without attributes pays for none; copied when its session is
 * parked and into the connection that resumes it. Thread-safe.
 */
final class Attributes {
  /** Created by the first {@link #set}. */
  private volatile ConcurrentHashMap<String, Object> values;

  Object get(String name) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> v = values;
    return v == null ? null : v.get(name);
  }

  /** Sets a value; null removes it. */
  void set(String name, Object value) {
    Objects.requireNonNull(name, "name == null");
    ConcurrentHashMap<String, Object> v = values;
    if (value == null) {
      if (v != null) {
        v.remove(name);
      }
      return;
    }
    if (v == null) {
      synchronized (this) {
        v = values;
        if (v == null) {
          v = new ConcurrentHashMap<>();
          values = v;
        }
      }
    }
    v.put(name, value);
  }

  /** The values now, as an immutable map. */
  Map<String, Object> snapshot() {
    ConcurrentHashMap<String, Object> v = values;
    return v == null ? Map.of() : Map.copyOf(v);
  }

  /** Takes the values of a resumed session. */
  void restore(Map<String, Object> saved) {
    if (saved != null && !saved.isEmpty()) {
      values = new ConcurrentHashMap<>(saved);
    }
  }

  /** Forgets every value. */
  void clear() {
    values = null;
  }
}
