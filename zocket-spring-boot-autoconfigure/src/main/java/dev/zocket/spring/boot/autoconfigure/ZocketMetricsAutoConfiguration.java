package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.micrometer.ZocketMetrics;
import dev.zocket.micrometer.ZocketObservation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * With {@code zocket-micrometer} and Actuator: Zocket's meters ({@code ZocketMetrics}) in Boot's
 * {@code MeterRegistry}, and an observation per handled message ({@code ZocketObservation}) in
 * Boot's {@code ObservationRegistry}, each when that registry is a bean.
 */
@AutoConfiguration(
    before = ZocketAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnClass({ZocketMetrics.class, ZocketServerCustomizer.class})
public class ZocketMetricsAutoConfiguration {

  /** Created by Spring. */
  public ZocketMetricsAutoConfiguration() {}

  /** Meters in Boot's {@code MeterRegistry}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Meters {
    @Bean
    @Order(0)
    ZocketServerCustomizer zocketMetricsCustomizer(ObjectProvider<MeterRegistry> registry) {
      return builder -> registry.ifUnique(r -> builder.observer(ZocketMetrics.create(r)));
    }
  }

  /** Observations in Boot's {@code ObservationRegistry}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ObservationRegistry.class)
  static class Observations {
    @Bean
    @Order(0)
    ZocketServerCustomizer zocketObservationCustomizer(
        ObjectProvider<ObservationRegistry> registry) {
      return builder -> registry.ifUnique(r -> builder.around(ZocketObservation.create(r)));
    }
  }
}
