package dev.zocket.internal;

import java.util.List;

/**
 * Who an emitted event goes to.
 *
 * @param kind what {@code ids} name
 * @param ids client ids or room ids; empty for {@link Kind#EVERYONE}
 * @param except client ids to skip
 */
public record Target(Kind kind, List<String> ids, List<String> except) {
  /** What a target names. */
  public enum Kind {
    /** Connections by client id. */
    CLIENTS,
    /** Members of rooms, each once. */
    ROOMS,
    /** Every open connection. */
    EVERYONE
  }
}
