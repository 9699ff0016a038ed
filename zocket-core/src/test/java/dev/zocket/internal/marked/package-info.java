/** Records and a contract of a null-marked package, for the nullness tests. */
@NullMarked
package dev.zocket.internal.marked;

import org.jspecify.annotations.NullMarked;
