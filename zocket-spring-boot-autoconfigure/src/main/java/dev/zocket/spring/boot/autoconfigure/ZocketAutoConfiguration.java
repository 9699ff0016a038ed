package dev.zocket.spring.boot.autoconfigure;

import dev.zocket.Context;
import dev.zocket.netty.Authenticator;
import dev.zocket.netty.ZocketServer;
import jakarta.validation.Validator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configures a Zocket server: {@link ZocketServerProperties} ({@code zocket.server.*}), the
 * {@link ZocketHandler @ZocketHandler} beans and their {@value ZocketHandler#SCOPE} scope, the
 * application's {@link Authenticator}, Boot's {@code Validator} and SSL bundles, the {@link
 * ZocketServerCustomizer}s, and a {@link ZocketServerLifecycle} that runs the server with the
 * context. Off with {@code zocket.server.enabled=false}, or when the application defines its own
 * {@code ZocketServerLifecycle}.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration",
      "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration"
    })
@ConditionalOnClass(ZocketServer.class)
@ConditionalOnProperty(prefix = "zocket.server", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ZocketServerProperties.class)
public class ZocketAutoConfiguration {

  /** Created by Spring. */
  public ZocketAutoConfiguration() {}

  /**
   * Registers the {@value ZocketHandler#SCOPE} scope and the connection's {@link Context} as a bean
   * of that scope, before any bean is created.
   *
   * @return the post-processor
   */
  @Bean
  static BeanFactoryPostProcessor zocketConnectionScope() {
    return beanFactory -> {
      ConnectionScope scope = new ConnectionScope();
      beanFactory.registerScope(ZocketHandler.SCOPE, scope);
      if (beanFactory instanceof BeanDefinitionRegistry registry
          && !registry.containsBeanDefinition(ConnectionScope.CONTEXT_BEAN)) {
        RootBeanDefinition context = new RootBeanDefinition(Context.class);
        context.setScope(ZocketHandler.SCOPE);
        context.setInstanceSupplier(scope::currentContext);
        context.setRole(RootBeanDefinition.ROLE_INFRASTRUCTURE);
        registry.registerBeanDefinition(ConnectionScope.CONTEXT_BEAN, context);
      }
    };
  }

  /**
   * The server's lifecycle: it starts the server once the context has refreshed.
   *
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnMissingBean
  ZocketServerLifecycle zocketServerLifecycle(
      ZocketServerProperties properties,
      ConfigurableListableBeanFactory beanFactory,
      Environment environment,
      ObjectProvider<Validator> validator,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<ZocketServerCustomizer> customizers) {
    ConnectionScope scope = (ConnectionScope) beanFactory.getRegisteredScope(ZocketHandler.SCOPE);
    ServerFactory factory =
        new ServerFactory(
            properties, beanFactory, scope, validator, authenticator, sslBundles, customizers);
    return new ZocketServerLifecycle(factory::start, scope::endAll, environment);
  }
}
