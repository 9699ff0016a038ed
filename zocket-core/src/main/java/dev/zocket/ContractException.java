package dev.zocket;

import java.util.List;

/**
 * A contract interface breaks one of the declaration rules. Raised when the interface is first read
 * (server registration, client proxy or emitter creation), never later. The message states the
 * rule, a hint at the fix, and ends with {@code for method Rooms.join} (or {@code for interface
 * Rooms}).
 */
public final class ContractException extends ZocketException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message the rule, the hint and the culprit
   */
  public ContractException(String message) {
    super(ErrorCodes.INVALID_CONTRACT, message, List.of());
  }
}
