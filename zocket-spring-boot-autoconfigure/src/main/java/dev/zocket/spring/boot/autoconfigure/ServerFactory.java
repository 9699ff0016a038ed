package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.Context;
import dev.zocket.netty.Authenticator;
import dev.zocket.netty.ZocketServer;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds and starts the server from the properties and the application's beans, in the order {@link
 * ZocketServerCustomizer} documents.
 *
 * <p>Threading: {@link #start} runs on the thread that starts the lifecycle.
 */
final class ServerFactory {
  private final ZocketServerProperties properties;
  private final ConfigurableListableBeanFactory beanFactory;
  private final ConnectionScope scope;
  private final ObjectProvider<JsonMapper> jsonMapper;
  private final ObjectProvider<Validator> validator;
  private final ObjectProvider<Authenticator> authenticator;
  private final ObjectProvider<SslBundles> sslBundles;
  private final ObjectProvider<ZocketServerCustomizer> customizers;

  ServerFactory(
      ZocketServerProperties properties,
      ConfigurableListableBeanFactory beanFactory,
      ConnectionScope scope,
      ObjectProvider<JsonMapper> jsonMapper,
      ObjectProvider<Validator> validator,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<ZocketServerCustomizer> customizers) {
    this.properties = properties;
    this.beanFactory = beanFactory;
    this.scope = scope;
    this.jsonMapper = jsonMapper;
    this.validator = validator;
    this.authenticator = authenticator;
    this.sslBundles = sslBundles;
    this.customizers = customizers;
  }

  ZocketServer start() {
    ZocketServer.Builder<?, ?> b = ZocketServer.builder();
    applyProperties(b);
    JsonMapper mapper = jsonMapper.getIfUnique();
    if (mapper != null) {
      b.objectMapper(mapper);
    }
    Validator v = validator.getIfUnique();
    if (v != null) {
      b.validator(v);
    }
    Authenticator a = authenticator.getIfUnique();
    if (a != null) {
      b.authenticate(a);
    }
    customizers.orderedStream().forEach(c -> c.customize(b));
    registerHandlers(b);
    return b.start();
  }

  private void applyProperties(ZocketServer.Builder<?, ?> b) {
    ZocketServerProperties p = properties;
    b.host(p.getHost()).port(p.getPort()).ioThreads(p.getIoThreads());
    if (p.getPath() != null) {
      b.path(p.getPath());
    }
    if (p.isInProcess()) {
      b.inProcess();
    }
    b.maxFrameSize(toInt("max-frame-size", p.getMaxFrameSize().toBytes()));
    if (p.getMaxConnections() != null) {
      b.maxConnections(p.getMaxConnections());
    }
    b.maxConnectionsPerAddress(p.getMaxConnectionsPerAddress())
        .handshakeTimeout(p.getHandshakeTimeout())
        .idleTimeout(p.getIdleTimeout())
        .pingInterval(p.getPingInterval())
        .maxRoomsPerConnection(p.getMaxRoomsPerConnection())
        .maxRoomIdLength(p.getMaxRoomIdLength())
        .maxCallsInFlight(p.getMaxCallsInFlight())
        .compression(p.isCompression())
        .validateOutgoing(p.isValidateOutgoing());
    if (p.getMaxRoomMemory() != null) {
      b.maxRoomMemory(p.getMaxRoomMemory().toBytes());
    }
    if (p.getMaxBacklogMemory() != null) {
      b.maxBacklogMemory(p.getMaxBacklogMemory().toBytes());
    }
    if (p.getMaxInboundMemory() != null) {
      b.maxInboundMemory(p.getMaxInboundMemory().toBytes());
    }
    if (p.getMaxRecoveryMemory() != null) {
      b.maxRecoveryMemory(p.getMaxRecoveryMemory().toBytes());
    }
    if (!p.getAllowedOrigins().isEmpty()) {
      b.allowedOrigins(p.getAllowedOrigins().toArray(String[]::new));
    }
    if (!p.getAllowedHosts().isEmpty()) {
      b.allowedHosts(p.getAllowedHosts().toArray(String[]::new));
    }
    ZocketServerProperties.RateLimit rate = p.getRateLimit();
    b.rateLimit(rate.getMessagesPerSecond(), rate.getBurst()).rateLimitPolicy(rate.getPolicy());
    ZocketServerProperties.SlowConsumer slow = p.getSlowConsumer();
    b.slowConsumerPolicy(slow.getPolicy())
        .slowConsumerLimits(
            toInt("slow-consumer.max-backlog", slow.getMaxBacklog().toBytes()), slow.getMaxBehind())
        .writeBufferWaterMark(
            toInt("slow-consumer.write-buffer-low", slow.getWriteBufferLow().toBytes()),
            toInt("slow-consumer.write-buffer-high", slow.getWriteBufferHigh().toBytes()));
    if (p.getRecovery().isEnabled()) {
      b.recovery(p.getRecovery().getWindow(), p.getRecovery().getMaxEvents());
    }
    b.gracePeriod(p.getShutdown().getGracePeriod()).shutdownTimeout(p.getShutdown().getTimeout());
    if (p.getSsl().getBundle() != null) {
      b.sslContext(sslContext(p.getSsl().getBundle()));
    }
  }

  private io.netty.handler.ssl.SslContext sslContext(String name) {
    SslBundles bundles = sslBundles.getIfAvailable();
    if (bundles == null) {
      throw new IllegalStateException(
          "zocket.server.ssl.bundle is '" + name + "' but the application has no SslBundles bean");
    }
    SslBundle bundle = bundles.getBundle(name);
    SslContextBuilder ssl =
        SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory());
    SslOptions options = bundle.getOptions();
    if (options.getEnabledProtocols() != null) {
      ssl.protocols(options.getEnabledProtocols());
    }
    if (options.getCiphers() != null) {
      ssl.ciphers(List.of(options.getCiphers()));
    }
    try {
      return ssl.build();
    } catch (SSLException e) {
      throw new IllegalStateException(
          "Cannot serve TLS with the SSL bundle '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Registers every {@link ZocketHandler} bean for its contracts, then ends scopes on disconnect.
   */
  private <H, U> void registerHandlers(ZocketServer.Builder<H, U> b) {
    for (String name : beanFactory.getBeanNamesForAnnotation(ZocketHandler.class)) {
      Class<?> type = beanFactory.getType(name);
      if (type == null) {
        throw new IllegalStateException(
            "Cannot tell the type of @ZocketHandler bean '" + name + "'");
      }
      if (!ZocketHandler.SCOPE.equals(beanFactory.getBeanDefinition(name).getScope())) {
        throw new IllegalStateException(
            "@ZocketHandler bean '"
                + name
                + "' must be of scope '"
                + ZocketHandler.SCOPE
                + "', not '"
                + beanFactory.getBeanDefinition(name).getScope()
                + "': remove the @Scope annotation");
      }
      for (Class<?> contract : contracts(ClassUtils.getUserClass(type))) {
        register(b, contract, name);
      }
    }
    b.onDisconnect(ctx -> scope.end(ctx.clientId()));
  }

  private <H, U, T> void register(ZocketServer.Builder<H, U> b, Class<T> contract, String name) {
    Function<Context<U>, T> factory =
        ctx -> scope.inConnection(ctx, () -> beanFactory.getBean(name, contract));
    b.handle(contract, factory);
  }

  /** The contracts of a handler class: its annotation's, or the interfaces it implements. */
  static List<Class<?>> contracts(Class<?> type) {
    ZocketHandler annotation =
        AnnotatedElementUtils.findMergedAnnotation(type, ZocketHandler.class);
    if (annotation != null && annotation.value().length > 0) {
      for (Class<?> c : annotation.value()) {
        if (!c.isInterface() || !c.isAssignableFrom(type)) {
          throw new IllegalStateException(
              "@ZocketHandler names "
                  + c.getName()
                  + ", which is not an interface that "
                  + type.getName()
                  + " implements");
        }
      }
      return List.of(annotation.value());
    }
    Set<Class<?>> found = new LinkedHashSet<>();
    // The interfaces of the class and of its superclasses (a bean may extend a plain handler).
    for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) {
      for (Class<?> c : t.getInterfaces()) {
        String n = c.getName();
        if (!n.startsWith("java.") && !n.startsWith("org.springframework.")) {
          found.add(c);
        }
      }
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "@ZocketHandler class "
              + type.getName()
              + " implements no contract interface: implement one, or name them in"
              + " @ZocketHandler(...)");
    }
    return new ArrayList<>(found);
  }

  private static int toInt(String property, long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "zocket.server."
              + property
              + " must be at most "
              + Integer.MAX_VALUE
              + " bytes: "
              + bytes);
    }
    return (int) bytes;
  }
}
