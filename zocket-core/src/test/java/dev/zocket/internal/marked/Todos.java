package dev.zocket.internal.marked;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

// region todos
/** A contract of a null-marked package. */
public interface Todos {
  void add(Todo todo);

  CompletableFuture<List<Todo>> list();

  List<@Nullable Todo> maybe();
}
// endregion todos
