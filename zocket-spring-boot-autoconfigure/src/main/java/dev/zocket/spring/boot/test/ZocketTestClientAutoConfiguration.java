package dev.zocket.spring.boot.test;

import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.ZocketAutoConfiguration;
import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Imported by {@link AutoConfigureZocketClient}: the {@link ZocketTestClient} bean. */
@AutoConfiguration(after = ZocketAutoConfiguration.class)
@ConditionalOnClass(ZocketClient.class)
class ZocketTestClientAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ZocketTestClient zocketTestClient(ZocketServerLifecycle lifecycle) {
    return new ZocketTestClient(lifecycle);
  }
}
