package dev.zocket.typescript;

/**
 * A named schema of the module: a record, an enum, a sealed interface (a union) or an instantiation
 * of a generic record.
 *
 * @param name the constant's and the type's name in the module
 * @param java the Java type, for the comment
 * @param code the schema
 * @param tsType the TypeScript type written out, for a schema in a cycle (TypeScript cannot infer
 *     those); null for the others, whose type is inferred
 * @param annotated whether the schema is referred to from within its own schema (by {@code
 *     z.lazy}), so the constant is annotated with its type
 */
record NamedSchema(String name, String java, String code, String tsType, boolean annotated) {
  /** The declaration of the schema and of its type, for the module. */
  String declaration() {
    StringBuilder out = new StringBuilder();
    out.append("\n/** ").append(Js.comment(java)).append(" */\n");
    if (annotated) {
      // A recursive schema: its type written out, and the schema annotated with it, which is
      // what zod 4 needs of a schema that refers to itself through z.lazy.
      out.append("export type ").append(name).append(" = ").append(tsType).append(";\n");
      out.append("export const ")
          .append(name)
          .append(": z.ZodType<")
          .append(name)
          .append(", ")
          .append(name)
          .append("> = ")
          .append(code)
          .append(";\n");
      return out.toString();
    }
    out.append("export const ").append(name).append(" = ").append(code).append(";\n");
    out.append("export type ")
        .append(name)
        .append(" = ")
        // In a cycle, the type is written out: inferring it would go round the cycle.
        .append(tsType != null ? tsType : "z.infer<typeof " + name + ">")
        .append(";\n");
    return out.toString();
  }
}
