package dev.zocket.typescript;

import jakarta.validation.metadata.ConstraintDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The constraints the generated schemas do not check (a custom constraint, a class-level one, a
 * regex JavaScript lacks...): noted in a comment next to where they apply, as the server still
 * enforces them; or, in strict mode, the generation fails on the first one. Not thread-safe: one
 * generation at a time.
 */
final class SkippedConstraints {
  /** Whether a constraint zod cannot express fails the generation instead of being noted. */
  private final boolean strict;

  /** The constraints not checked at the places being generated, each noted once done. */
  private final List<String> skipped = new ArrayList<>();

  SkippedConstraints(boolean strict) {
    this.strict = strict;
  }

  /** Notes constraints the schema at a place does not check; fails instead when strict. */
  void note(Place at, List<ZodConstraints.Skipped> left) {
    if (left.isEmpty()) {
      return;
    }
    if (strict) {
      throw new GenerationException(at.name() + ": " + left.get(0).reason());
    }
    for (ZodConstraints.Skipped s : left) {
      skipped.add(s.constraint());
    }
  }

  /**
   * The comment line of an object schema for its class-level constraints (zod has no form for
   * them), or "" for none; fails instead when strict.
   */
  String onClass(Class<?> c, Set<ConstraintDescriptor<?>> constraints) {
    if (constraints.isEmpty()) {
      return "";
    }
    List<String> names = new ArrayList<>();
    for (ConstraintDescriptor<?> d : constraints) {
      names.add("@" + d.getAnnotation().annotationType().getSimpleName());
    }
    names.sort(null);
    if (strict) {
      throw new GenerationException(
          c.getSimpleName()
              + ": constraints on the class itself ("
              + String.join(", ", names)
              + ") have no zod form; put them on its components");
    }
    return "  // not checked here: "
        + String.join(", ", names)
        + " on the class (enforced by the server)\n";
  }

  /** Where {@link #since} starts for the schemas generated from now. */
  int mark() {
    return skipped.size();
  }

  /**
   * The comment noting the constraints the schemas generated since {@code mark} do not check, or ""
   * for none; they are taken off the list.
   *
   * @param mark the {@link #mark} before those schemas
   */
  String since(int mark) {
    if (skipped.size() <= mark) {
      return "";
    }
    List<String> taken = skipped.subList(mark, skipped.size());
    String note =
        "not checked here: "
            + String.join(", ", new LinkedHashSet<>(taken))
            + " (enforced by the server)";
    taken.clear();
    return note;
  }
}
