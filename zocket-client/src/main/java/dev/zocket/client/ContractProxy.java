package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Contract;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Proxies;
import dev.zocket.internal.RouteDescriptor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.concurrent.CompletionException;

/**
 * What a client's proxy of one contract does: a route method validates its payload and becomes a
 * send or a call (see {@link ZocketClient#proxy}); other methods run locally.
 */
final class ContractProxy implements InvocationHandler {
  private final Contract contract;
  private final ZocketClient client;
  private final Outbound outbound;
  private final Transport transport;
  private final PayloadValidator validator;
  private final boolean validate;

  /**
   * @param client the owner, named by {@link #toString}
   * @param transport tells whether the caller is an I/O thread
   * @param validate whether payloads are validated before they are sent
   */
  ContractProxy(
      Contract contract,
      ZocketClient client,
      Outbound outbound,
      Transport transport,
      PayloadValidator validator,
      boolean validate) {
    this.contract = contract;
    this.client = client;
    this.outbound = outbound;
    this.transport = transport;
    this.validator = validator;
    this.validate = validate;
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
        outbound.send(route, payload);
        return null;
      }
      case ASYNC_CALL -> {
        return outbound.call(route, payload);
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
          value = outbound.call(route, payload).join();
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

  @Override
  public String toString() {
    return contract.type().getSimpleName() + " proxy of " + client;
  }
}
