/**
 * Writes the TypeScript side of Zocket contracts: {@link dev.zocket.typescript.TypeScriptGenerator}
 * (the API, used by the Maven plugin) and {@link dev.zocket.typescript.Main} (the command line).
 */
package dev.zocket.typescript;
