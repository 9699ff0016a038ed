package dev.zocket.internal.marked;

import java.util.List;
import org.jspecify.annotations.NullUnmarked;

/** A record of a null-marked package that opts out: null is a value again. */
@NullUnmarked
public record Loose(String name, List<String> items) {}
