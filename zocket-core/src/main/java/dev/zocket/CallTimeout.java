package dev.zocket;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets how long a client waits for the reply of this call before failing it with {@link
 * ErrorCodes#TIMEOUT}; it overrides the client's default timeout for this method only.
 *
 * <p>On an acknowledged event (an event method returning {@code CompletableFuture<T>}), it sets how
 * long the server waits for the client's answer instead, overriding the server's default; {@link
 * Emitter#ackTimeout} overrides it for one emitter.
 *
 * <p>Contract: allowed only on methods that return a value (calls and acknowledged events), and the
 * value must be positive; both are checked when the contract is first read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CallTimeout {
  /**
   * The timeout.
   *
   * @return the timeout in milliseconds; must be positive
   */
  long millis();
}
