package dev.zocket.client;

import dev.zocket.ErrorCodes;
import dev.zocket.LogSafe;
import dev.zocket.ZocketException;
import dev.zocket.internal.MessageReader;
import dev.zocket.internal.Protocol;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Where the frames of a client's connections go, once core's {@link MessageReader} has read them
 * (as the server reads its requests): a reply completes its call; an event goes to its listeners on
 * the callback thread, in arrival order; an event that was refused goes to {@code onError}; the
 * rest is dropped. Thread-safe.
 */
final class InboundRouter {
  private static final Logger log = LoggerFactory.getLogger(ZocketClient.class);

  private final MessageReader reader;
  private final Map<String, EventRoute> events;
  private final CallbackThread callbacks;
  private final Consumer<Throwable> onError;
  private final ObjectMapper mapper;
  private final Resumption resumption;
  private final ZocketClient client;
  private final ClientHooks hooks;
  private final AckAnswers answers;

  /**
   * @param events the listened-to events by route
   * @param onError told about refused events on the callback thread, or null to log them at warn
   * @param client the client, as the interceptors see it
   * @param hooks the interceptors events pass through, and the observers
   * @param answers answers acknowledged events
   */
  InboundRouter(
      MessageReader reader,
      Map<String, EventRoute> events,
      CallbackThread callbacks,
      Consumer<Throwable> onError,
      ObjectMapper mapper,
      Resumption resumption,
      ZocketClient client,
      ClientHooks hooks,
      AckAnswers answers) {
    this.answers = answers;
    this.reader = reader;
    this.mapper = mapper;
    this.resumption = resumption;
    this.events = events;
    this.callbacks = callbacks;
    this.onError = onError;
    this.client = client;
    this.hooks = hooks;
  }

  /**
   * One text or binary frame arrived on a connection. Event loop.
   *
   * @param calls the connection's calls, which its replies complete
   */
  void received(PendingCalls calls, byte[] data, int offset, int length) {
    MessageReader.Message<EventRoute> message = reader.read(data, offset, length, events::get);
    if (message == null) {
      return; // not a protocol envelope; the reader logged why
    }
    if (message.isReply()) {
      if (!calls.streams().replied(message.rpcId(), route -> reader.reply(route, message))) {
        calls.replied(message.rpcId(), route -> reader.reply(route, message));
      }
      return;
    }
    if (Protocol.STREAM_ITEM_TYPE.equals(message.type())) {
      calls.streams().item(message.rpcId(), route -> reader.reply(route, message));
      return;
    }
    if (Protocol.STREAM_END_TYPE.equals(message.type())) {
      calls.streams().ended(message.rpcId(), reader.error(message));
      return;
    }
    if (Protocol.SESSION_TYPE.equals(message.type())) {
      session(data, offset, length);
      return;
    }
    resumption.received(message.position());
    EventRoute event = message.route();
    String rpcId = message.rpcId();
    if (event == null) {
      log.debug("Ignored event {}: no listener", LogSafe.text(message.type()));
      if (rpcId != null) {
        answers.fail(
            calls,
            rpcId,
            new ZocketException(
                ErrorCodes.NOT_FOUND, "No listener for event '" + message.type() + "'"));
      }
      return;
    }
    ZocketException refused = message.error();
    hooks.eventReceived(event.route().route(), refused == null ? null : refused.code());
    if (refused != null) {
      if (rpcId != null) {
        answers.fail(calls, rpcId, refused);
      }
      dropped(event, refused);
      return;
    }
    Object payload = message.payload();
    if (rpcId != null) {
      callbacks.run(() -> ask(calls, event, payload, rpcId));
    } else if (hooks.intercepting()) {
      callbacks.run(() -> intercepted(event, payload));
    } else {
      callbacks.run(() -> event.deliver(payload));
    }
  }

  /**
   * Asks the listener of an acknowledged event, through the interceptors, and answers with what it
   * returns. Callback thread.
   */
  private void ask(PendingCalls calls, EventRoute event, Object payload, String rpcId) {
    Object result;
    try {
      if (!event.route().isCall()) {
        event.deliver(payload); // the listener's contract declares it a plain event
        result = null;
      } else if (hooks.intercepting()) {
        result =
            hooks.intercept(
                client,
                ClientInterceptor.Kind.EVENT,
                event.route().route(),
                payload,
                () -> {
                  try {
                    return event.ask(payload);
                  } catch (RuntimeException | Error e) {
                    throw e;
                  } catch (Throwable t) {
                    throw new CompletionException(t);
                  }
                });
      } else {
        result = event.ask(payload);
      }
    } catch (Throwable t) { // the listener's failure is the answer
      answers.failed(calls, event.route(), rpcId, t);
      return;
    }
    answers.answer(calls, event.route(), rpcId, result);
  }

  /** Delivers an event through the interceptors. Callback thread. */
  private void intercepted(EventRoute event, Object payload) {
    try {
      hooks.intercept(
          client,
          ClientInterceptor.Kind.EVENT,
          event.route().route(),
          payload,
          () -> {
            event.deliver(payload);
            return null;
          });
    } catch (ZocketException e) {
      dropped(event, e);
    } catch (RuntimeException e) {
      log.warn("An interceptor threw on event {}; the event was dropped", event.route().route(), e);
    }
  }

  private void dropped(EventRoute event, ZocketException why) {
    String route = event.route().route();
    if (onError == null) {
      log.warn("Dropped event {}: {}", route, why.toString());
    } else {
      log.debug("Dropped event {}: {}", route, why.toString());
      if (callbacks.isCurrent()) {
        onError.accept(why);
      } else {
        callbacks.run(() -> onError.accept(why));
      }
    }
  }

  /**
   * Reads a frame as the server's {@code __session} message, the first a server with recovery
   * sends, and keeps the session it names. Event loop.
   *
   * @return whether the connection resumed its session; null if the frame is not that message
   */
  Boolean session(byte[] data, int offset, int length) {
    JsonNode message;
    try {
      message = mapper.readTree(data, offset, length);
    } catch (JacksonException e) {
      return null;
    }
    if (message == null
        || !Protocol.SESSION_TYPE.equals(message.path(Protocol.TYPE).asString(""))) {
      return null;
    }
    return resumption.session(message.path(Protocol.PAYLOAD));
  }
}
