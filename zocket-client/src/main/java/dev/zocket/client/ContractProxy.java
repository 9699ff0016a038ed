package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.client.ClientInterceptor.Kind;
import dev.zocket.internal.Contract;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Proxies;
import dev.zocket.internal.RouteDescriptor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a client's proxy of one contract does: a route method validates its payload and becomes a
 * send or a call (see {@link ZocketClient#proxy}), through the client's interceptors and told to
 * its observers; other methods run locally.
 */
final class ContractProxy implements InvocationHandler {
  private final Contract contract;
  private final ZocketClient client;
  private final Outbound outbound;
  private final Transport transport;
  private final PayloadValidator validator;
  private final boolean validate;
  private final ClientHooks hooks;

  /**
   * @param client the owner, named by {@link #toString}
   * @param transport tells whether the caller is an I/O thread
   * @param validate whether payloads are validated before they are sent
   * @param hooks the interceptors that calls and messages pass through, and the observers
   */
  ContractProxy(
      Contract contract,
      ZocketClient client,
      Outbound outbound,
      Transport transport,
      PayloadValidator validator,
      boolean validate,
      ClientHooks hooks) {
    this.contract = contract;
    this.client = client;
    this.outbound = outbound;
    this.transport = transport;
    this.validator = validator;
    this.validate = validate;
    this.hooks = hooks;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    RouteDescriptor route = contract.route(method);
    if (route == null) {
      return Proxies.local(proxy, method, args, this::toString);
    }
    Object payload = args == null ? null : args[0];
    if (validate && route.validated() && payload != null) {
      validator.validate(route.route(), payload);
    }
    switch (route.kind()) {
      case SEND -> {
        send(route, payload);
        return null;
      }
      case ASYNC_CALL -> {
        return call(route, payload);
      }
      case STREAM -> {
        return outbound.stream(route, payload);
      }
      default -> {
        if (transport.onIoThread()) {
          throw new IllegalStateException(
              "Blocking call "
                  + route.methodName()
                  + " on the client's I/O thread would never be answered; return a"
                  + " CompletableFuture or use a ...Async stage");
        }
        Object value;
        try {
          value = call(route, payload).join();
        } catch (CompletionException e) {
          throw e.getCause();
        }
        if (value == null && method.getReturnType().isPrimitive()) {
          throw new ZocketException(
              ErrorCodes.INVALID_PAYLOAD,
              "The reply to "
                  + route.route()
                  + " has no value, but "
                  + route.methodName()
                  + " returns "
                  + method.getReturnType());
        }
        return value;
      }
    }
  }

  /** Sends a message through the interceptors; what they or the send throw, the caller gets. */
  private void send(RouteDescriptor route, Object payload) {
    hooks.intercept(
        client,
        Kind.MESSAGE,
        route.route(),
        payload,
        () -> {
          outbound.send(route, payload);
          hooks.messageSent(route.route());
          return null;
        });
  }

  /**
   * Sends a call through the interceptors. The future returned completes as the interceptors' stage
   * does, once the observers were told, and cancelling it cancels the call sent, whatever stage the
   * interceptors derived.
   */
  private CompletableFuture<Object> call(RouteDescriptor route, Object payload) {
    if (!hooks.intercepting() && !hooks.observing()) {
      return outbound.call(route, payload);
    }
    long start = hooks.observing() ? System.nanoTime() : 0;
    AtomicBoolean ended = new AtomicBoolean(); // the observers are told once
    CompletableFuture<Object> reply = new CompletableFuture<>();
    CompletableFuture<?>[] sent = new CompletableFuture<?>[1];
    Object stage;
    try {
      stage =
          hooks.intercept(
              client,
              Kind.CALL,
              route.route(),
              payload,
              () -> {
                CompletableFuture<Object> f = outbound.call(route, payload);
                sent[0] = f;
                return f;
              });
      if (!(stage instanceof CompletionStage<?>)) {
        throw new IllegalStateException(
            "An interceptor of call "
                + route.route()
                + " returned "
                + stage
                + " instead of the reply's CompletionStage");
      }
    } catch (RuntimeException e) {
      ended(route, start, ended, e);
      reply.completeExceptionally(e);
      return reply;
    }
    ((CompletionStage<?>) stage)
        .whenComplete(
            (v, e) -> {
              Throwable cause =
                  e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
              ended(route, start, ended, cause);
              if (cause != null) {
                reply.completeExceptionally(cause);
              } else {
                reply.complete(v);
              }
            });
    reply.whenComplete(
        (v, e) -> {
          if (reply.isCancelled()) {
            CompletableFuture<?> f = sent[0];
            if (f != null) {
              f.cancel(false); // no longer waits: its reply, if it comes, is dropped
            }
            ended(route, start, ended, e);
          }
        });
    return reply;
  }

  /** Tells the observers how a call ended, unless they were told already. */
  private void ended(RouteDescriptor route, long start, AtomicBoolean ended, Throwable failure) {
    if (hooks.observing() && ended.compareAndSet(false, true)) {
      hooks.callCompleted(
          route.route(),
          System.nanoTime() - start,
          failure == null ? null : ClientHooks.errorCode(failure));
    }
  }

  @Override
  public String toString() {
    return contract.type().getSimpleName() + " proxy of " + client;
  }
}
