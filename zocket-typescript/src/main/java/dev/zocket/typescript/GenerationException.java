package dev.zocket.typescript;

/**
 * A contract, or a type or constraint in it, that the TypeScript module cannot express. The message
 * names the record component (or route) and says what to change; nothing is ever left out of the
 * module silently.
 */
public final class GenerationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what cannot be expressed, where, and what to do
   */
  public GenerationException(String message) {
    super(message);
  }
}
