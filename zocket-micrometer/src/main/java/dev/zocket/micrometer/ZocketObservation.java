package dev.zocket.micrometer;

import dev.zocket.AroundInterceptor;
import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * An {@link AroundInterceptor} that wraps the handling of each message in a Micrometer {@link
 * Observation}, so that tracing works where an Observation bridge is present (Micrometer Tracing
 * with an OpenTelemetry or Brave bridge): the handler runs in the observation's scope, and what it
 * observes itself becomes a child.
 *
 * <pre>{@code
 * ZocketServer server = ZocketServer.builder()
 *     .around(ZocketObservation.create(observationRegistry))
 *     .handle(Rooms.class, RoomsHandler::new)
 *     .start();
 * }</pre>
 *
 * <p>Each observation is named {@value #NAME}, with the route as its contextual name (for example
 * {@code rooms.join}) and these low-cardinality key values:
 *
 * <ul>
 *   <li>{@code zocket.route}: the route;
 *   <li>{@code zocket.kind}: {@code call} or {@code message};
 *   <li>{@code zocket.outcome}: {@code OK}, or the error code the message was answered with; the
 *       exception is the observation's error.
 * </ul>
 *
 * <p>It covers the messages that reach their handler: a call refused before (unknown route, invalid
 * payload, a limit, an {@link dev.zocket.Interceptor} that threw) has no observation; the {@code
 * zocket.messages.handled} timer of {@link ZocketMetrics} counts those too. An asynchronous
 * handler's observation stops when its stage completes; the scope covers the synchronous part only.
 *
 * <p>Threading: called on the thread that runs the handler; thread-safe and stateless besides the
 * registry, so one instance may serve several servers.
 */
public final class ZocketObservation implements AroundInterceptor {
  /** The name of every observation: {@value}. */
  public static final String NAME = "zocket.message";

  private final ObservationRegistry registry;

  private ZocketObservation(ObservationRegistry registry) {
    this.registry = registry;
  }

  /**
   * An interceptor that records into {@code registry}; with {@link ObservationRegistry#NOOP} it
   * only calls the handler.
   *
   * @param registry where the observations go
   * @return an interceptor to pass to {@code ZocketServer.Builder.around}
   */
  public static ZocketObservation create(ObservationRegistry registry) {
    return new ZocketObservation(Objects.requireNonNull(registry, "registry == null"));
  }

  /** Runs the rest of the chain in a started observation, and stops it with the outcome. */
  @Override
  public Object intercept(Invocation invocation) {
    Observation observation =
        Observation.createNotStarted(NAME, registry)
            .contextualName(invocation.route())
            .lowCardinalityKeyValue("zocket.route", invocation.route())
            .lowCardinalityKeyValue("zocket.kind", invocation.isCall() ? "call" : "message")
            .start();
    Object result;
    try (Observation.Scope scope = observation.openScope()) {
      result = invocation.proceed();
    } catch (RuntimeException | Error e) {
      stop(observation, e);
      throw e;
    }
    if (result instanceof CompletionStage<?> stage) {
      return stage.whenComplete((v, t) -> stop(observation, t));
    }
    stop(observation, null);
    return result;
  }

  private static void stop(Observation observation, Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    String outcome = "OK";
    if (t != null) {
      outcome = t instanceof ZocketException z ? z.code() : ErrorCodes.INTERNAL;
      observation.error(t);
    }
    observation.lowCardinalityKeyValue(KeyValue.of("zocket.outcome", outcome)).stop();
  }

  @Override
  public String toString() {
    return "ZocketObservation";
  }
}
