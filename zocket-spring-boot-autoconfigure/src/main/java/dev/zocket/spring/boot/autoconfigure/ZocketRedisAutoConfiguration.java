package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.redis.RedisBackplane;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

/**
 * With {@code zocket-redis} and {@code spring-boot-data-redis} on the class path and {@code
 * zocket.redis.enabled=true}: the server gets a {@link RedisBackplane} connected to the Redis of
 * Boot's {@code DataRedisConnectionDetails} ({@code spring.data.redis.*}: host, port, database,
 * username, password, SSL), configured by {@link ZocketRedisProperties}. A standalone Redis only:
 * Sentinel and Cluster configurations are refused at start.
 */
@AutoConfiguration(
    before = ZocketAutoConfiguration.class,
    afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({RedisBackplane.class, DataRedisConnectionDetails.class})
@ConditionalOnProperty(prefix = "zocket.redis", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(ZocketRedisProperties.class)
public class ZocketRedisAutoConfiguration {

  /** Created by Spring. */
  public ZocketRedisAutoConfiguration() {}

  @Bean
  @Order(10)
  ZocketServerCustomizer zocketRedisBackplane(
      ZocketRedisProperties properties, DataRedisConnectionDetails connection) {
    String uri = redisUri(connection);
    return builder -> {
      RedisBackplane.Builder b =
          RedisBackplane.builder(uri)
              .channelPrefix(properties.getChannelPrefix())
              .sharded(properties.isSharded())
              .maxReconnectDelay(properties.getMaxReconnectDelay())
              .maxPendingBytes(properties.getMaxPendingBytes().toBytes());
      if (properties.getNodeId() != null) {
        b.nodeId(properties.getNodeId());
      }
      builder.backplane(b.build());
    };
  }

  /** A Lettuce URI ({@code redis://} or {@code rediss://}) for Boot's connection details. */
  static String redisUri(DataRedisConnectionDetails details) {
    if (details.getSentinel() != null || details.getCluster() != null) {
      throw new IllegalStateException(
          "zocket.redis.enabled is true, but spring.data.redis names a Sentinel or Cluster"
              + " configuration: the Zocket backplane connects to a standalone Redis"
              + " (spring.data.redis.host/port or spring.data.redis.url)");
    }
    DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
    if (standalone == null) {
      throw new IllegalStateException(
          "zocket.redis.enabled is true, but Boot's Redis connection details have no standalone"
              + " host and port (spring.data.redis.host/port or spring.data.redis.url)");
    }
    StringBuilder uri =
        new StringBuilder(details.getSslBundle() != null ? "rediss://" : "redis://");
    String user = details.getUsername();
    String password = details.getPassword();
    if (password != null) {
      if (user != null) {
        uri.append(encode(user)).append(':');
      }
      uri.append(encode(password)).append('@');
    }
    String host = standalone.getHost();
    uri.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host)
        .append(':')
        .append(standalone.getPort())
        .append('/')
        .append(standalone.getDatabase());
    return uri.toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
