package dev.zocket.typescript;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JavaType;

/**
 * The names of a module's schemas: a type's simple name; for an instantiation of a generic record,
 * the record's simple name, {@code Of}, and the names of its type arguments joined by {@code And}
 * ({@code Page<Todo>} is {@code PageOfTodo}, {@code Pair<String, Todo>} is {@code
 * PairOfStringAndTodo}). A type argument is named the same way; a list, set or other collection is
 * {@code ListOf...}, {@code SetOf...}, a map {@code MapOf<key>And<value>}, an array {@code
 * <element>Array} ({@code IntArray} for {@code int[]}).
 */
final class ZodNames {
  private ZodNames() {}

  /** The schema name of a record, enum or union type, or of a generic record's instantiation. */
  static String of(JavaType type) {
    Class<?> c = type.getRawClass();
    List<JavaType> args = type.getBindings().getTypeParameters();
    if (args.isEmpty() || type.isContainerType()) {
      return c.getSimpleName();
    }
    List<String> names = new ArrayList<>();
    for (JavaType arg : args) {
      names.add(argument(arg));
    }
    return c.getSimpleName() + "Of" + String.join("And", names);
  }

  private static String argument(JavaType type) {
    Class<?> c = type.getRawClass();
    if (type.isArrayType()) {
      return argument(type.getContentType()) + "Array";
    }
    if (type.isMapLikeType()) {
      return "MapOf" + argument(type.getKeyType()) + "And" + argument(type.getContentType());
    }
    if (type.isCollectionLikeType()) {
      String kind = java.util.Set.class.isAssignableFrom(c) ? "Set" : "List";
      return kind + "Of" + argument(type.getContentType());
    }
    String name = of(type);
    return name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
  }
}
