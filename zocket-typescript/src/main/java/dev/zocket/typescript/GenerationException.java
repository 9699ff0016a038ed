package dev.zocket.typescript;

/**
 * A contract, or a type in it, that the TypeScript module cannot express, or, when the generation
 * is {@linkplain TypeScriptGenerator.Builder#strict strict}, a constraint. The message names the
 * record component (or route) and says what to change; nothing is ever left out of the module
 * silently (a constraint zod cannot express is named in a comment when not strict).
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
