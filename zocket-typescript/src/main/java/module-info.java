/**
 * Writes the TypeScript side of Zocket contracts: {@code dev.zocket.typescript}, the generator and
 * its command line.
 */
module dev.zocket.typescript {
  requires dev.zocket.core;
  requires jakarta.validation;

  exports dev.zocket.typescript;
}
