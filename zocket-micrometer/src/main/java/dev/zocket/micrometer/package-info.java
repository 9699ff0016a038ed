/**
 * Zocket's Micrometer integration: {@link dev.zocket.micrometer.ZocketMetrics}, a {@link
 * dev.zocket.spi.ZocketObserver} that keeps a server's meters in a {@code MeterRegistry}, and
 * {@link dev.zocket.micrometer.ZocketObservation}, an {@link dev.zocket.AroundInterceptor} that
 * wraps each handled message in a Micrometer {@code Observation}, for tracing.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .observer(ZocketMetrics.create(meterRegistry))
 *     .around(ZocketObservation.create(observationRegistry))
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .start();
 * }</pre>
 *
 * <p>The meters' names, tags and units are listed in this module's {@code README.md}.
 */
package dev.zocket.micrometer;
