package dev.zocket.internal.marked;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

// region todo
/** A record of a null-marked package: non-null unless {@code @Nullable}. */
public record Todo(
    String title,
    @Nullable String note,
    List<Tag> tags,
    List<@Nullable Tag> maybeTags,
    Map<String, Integer> counts,
    String[] aliases,
    @Nullable Loose loose) {}
// endregion todo
