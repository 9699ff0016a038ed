package dev.zocket.typescript;

import dev.zocket.internal.Nullness;
import jakarta.validation.metadata.ConstraintDescriptor;
import jakarta.validation.metadata.ContainerElementTypeDescriptor;
import java.util.Set;
import tools.jackson.databind.introspect.AnnotatedMember;

/**
 * Where a schema is used: the name of the place (for messages), the constraints there, whether Bean
 * Validation descends into a bean found there, and the type as written there (for its JSpecify
 * nullness; null when not known).
 */
record Place(
    String name,
    Set<ConstraintDescriptor<?>> constraints,
    Set<ContainerElementTypeDescriptor> elements,
    boolean cascaded,
    AnnotatedMember member,
    Nullness.Use use) {
  Place(
      String name,
      Set<ConstraintDescriptor<?>> constraints,
      Set<ContainerElementTypeDescriptor> elements,
      boolean cascaded,
      AnnotatedMember member) {
    this(name, constraints, elements, cascaded, member, null);
  }

  static Place root(String name) {
    return new Place(name, Set.of(), Set.of(), true, null);
  }

  /** This place with the type as written there. */
  Place written(Nullness.Use use) {
    return new Place(name, constraints, elements, cascaded, member, use);
  }

  /** The place of a container's element (type argument {@code index}). */
  Place element(int index) {
    Nullness.Use written = use == null ? null : use.argument(index);
    for (ContainerElementTypeDescriptor e : elements) {
      if (e.getTypeArgumentIndex() != null && e.getTypeArgumentIndex() == index) {
        return new Place(
            name + (index == 0 && elements.size() < 2 ? "[]" : "<" + index + ">"),
            e.getConstraintDescriptors(),
            e.getConstrainedContainerElementTypes(),
            e.isCascaded() || cascaded,
            null,
            written);
      }
    }
    return new Place(name + "[]", Set.of(), Set.of(), cascaded, null, written);
  }
}
