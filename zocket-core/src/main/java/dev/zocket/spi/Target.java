package dev.zocket.spi;

import java.util.List;
import java.util.Objects;

/**
 * Who an emitted event goes to, as chosen on an {@link dev.zocket.Emitter}.
 *
 * @param kind what {@code ids} name
 * @param ids client ids ({@link Kind#CLIENTS}) or room ids ({@link Kind#ROOMS}); empty for {@link
 *     Kind#EVERYONE}
 * @param except client ids to skip, whatever the kind
 */
public record Target(Kind kind, List<String> ids, List<String> except) {
  /** What a target names. */
  public enum Kind {
    /** Connections by client id. */
    CLIENTS,
    /** Members of rooms, each connection once even if it is in several of the rooms. */
    ROOMS,
    /** Every open connection. */
    EVERYONE
  }

  /**
   * Checks and copies the lists (an immutable list is kept as is).
   *
   * @throws NullPointerException if an argument or an element is null
   */
  public Target {
    Objects.requireNonNull(kind, "kind == null");
    ids = List.copyOf(ids);
    except = List.copyOf(except);
  }
}
