package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.netty.ZocketServer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP with the server's URI, port, connections and rooms while it runs; DOWN when it does not.
 *
 * <p>Threading: any thread; reads counters only.
 */
final class ZocketHealthIndicator implements HealthIndicator {
  private final ZocketServerLifecycle lifecycle;

  ZocketHealthIndicator(ZocketServerLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  @Override
  public Health health() {
    if (!lifecycle.isRunning()) {
      return Health.down().withDetail("reason", "The Zocket server is not running").build();
    }
    ZocketServer server;
    try {
      server = lifecycle.server();
    } catch (IllegalStateException e) {
      return Health.down().withDetail("reason", "The Zocket server is not running").build();
    }
    Health.Builder up = Health.up().withDetail("uri", server.uri().toString());
    if (server.uri().getPort() >= 0) {
      up.withDetail("port", server.port());
    }
    return up.withDetail("connections", server.connectionCount())
        .withDetail("rooms", server.roomCount())
        .withDetail("droppedMessages", server.droppedMessages())
        .build();
  }
}
