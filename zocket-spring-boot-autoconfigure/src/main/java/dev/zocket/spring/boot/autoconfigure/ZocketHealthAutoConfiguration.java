package dev.zocket.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * With Actuator's health support ({@code spring-boot-health}): a health indicator named {@code
 * zocket}, UP with the port, URI and counts while the server runs, DOWN when it does not. Off with
 * {@code management.health.zocket.enabled=false}.
 */
@AutoConfiguration(after = ZocketAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ZocketServerLifecycle.class)
@ConditionalOnEnabledHealthIndicator("zocket")
public class ZocketHealthAutoConfiguration {

  /** Created by Spring. */
  public ZocketHealthAutoConfiguration() {}

  @Bean
  HealthIndicator zocketHealthIndicator(ZocketServerLifecycle lifecycle) {
    return new ZocketHealthIndicator(lifecycle);
  }
}
