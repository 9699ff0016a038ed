package dev.zocket.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last multi-room events a node received, to deliver each once although it arrives
 * on the channel of every target room the node is subscribed to. The copies of one event are
 * published back to back, so they arrive close together; the set keeps the last {@code capacity}
 * ids. Thread-safe.
 */
final class RecentIds {
  private final LinkedHashMap<String, Boolean> ids;

  RecentIds(int capacity) {
    this.ids =
        new LinkedHashMap<>(capacity * 2, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Records an id; returns false if it was seen already (a duplicate). */
  synchronized boolean add(String origin, long id) {
    return ids.put(origin + ':' + id, Boolean.TRUE) == null;
  }
}
