package dev.zocket;

/**
 * Bounds on the JSON that Zocket will parse, applied before any payload is bound, so that a hostile
 * frame costs little. A frame beyond a limit is dropped (and logged at debug); the connection stays
 * open.
 *
 * @param maxNestingDepth the deepest nesting of objects and arrays; default 64
 * @param maxStringLength the longest string value, in characters; default 1,000,000
 * @param maxNumberLength the longest number literal, in characters; default 100
 * @param maxNameLength the longest object key, in characters; default 1,000
 */
public record JsonLimits(
    int maxNestingDepth, int maxStringLength, int maxNumberLength, int maxNameLength) {

  /** The defaults: depth 64, strings 1,000,000, numbers 100, names 1,000 characters. */
  public static final JsonLimits DEFAULTS = new JsonLimits(64, 1_000_000, 100, 1_000);

  /** Checks that every limit is positive. */
  public JsonLimits {
    positive("maxNestingDepth", maxNestingDepth);
    positive("maxStringLength", maxStringLength);
    positive("maxNumberLength", maxNumberLength);
    positive("maxNameLength", maxNameLength);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
