package dev.zocket.netty;

import dev.zocket.internal.HeaderBinder;
import dev.zocket.internal.Protocol;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.introspect.BeanPropertyDefinition;

/**
 * Reads the handshake headers of an upgrade request: query parameters win over HTTP headers of the
 * same name, and HTTP header names match case-insensitively. Thread-safe.
 */
abstract class HandshakeHeaders {
  /**
   * The headers of a request.
   *
   * @throws dev.zocket.InvalidPayloadException if they do not bind or validate
   */
  abstract Object read(HttpRequest request, QueryStringDecoder query);

  /** Every query parameter and HTTP header, as an immutable map. */
  static HandshakeHeaders asMap() {
    return new HandshakeHeaders() {
      @Override
      Object read(HttpRequest request, QueryStringDecoder query) {
        Map<String, String> values = new HashMap<>();
        request
            .headers()
            .forEach(e -> values.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        query.parameters().forEach((name, list) -> values.put(name, list.get(0)));
        values.remove(Protocol.SESSION_HEADER); // a secret, kept out of what handlers see
        return Map.copyOf(values);
      }
    };
  }

  /** Only the names the record declares, bound and validated by {@code binder}. */
  static HandshakeHeaders bound(HeaderBinder<?> binder, ObjectMapper mapper) {
    BeanDescription d =
        mapper
            ._serializationContext()
            .introspectBeanDescription(mapper.constructType(binder.type()));
    List<String> names = d.findProperties().stream().map(BeanPropertyDefinition::getName).toList();
    return new HandshakeHeaders() {
      @Override
      Object read(HttpRequest request, QueryStringDecoder query) {
        Map<String, List<String>> parameters = query.parameters();
        Map<String, String> values = new HashMap<>();
        for (String name : names) {
          List<String> fromQuery = parameters.get(name);
          String value = fromQuery != null ? fromQuery.get(0) : request.headers().get(name);
          if (value != null) {
            values.put(name, value);
          }
        }
        return binder.bind(values);
      }
    };
  }
}
