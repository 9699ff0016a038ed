package dev.zocket;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that the server's handlers for this contract method (or, on an interface, for all of its
 * methods) never block, so the server may run them directly on the connection's I/O thread instead
 * of handing them to the handler executor.
 *
 * <p>Contract: a handler marked this way must not sleep, wait on locks, do blocking I/O or join
 * futures; doing so stalls every connection that shares the I/O thread. Per-connection message
 * order is kept either way. Clients ignore this annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface NonBlocking {}
