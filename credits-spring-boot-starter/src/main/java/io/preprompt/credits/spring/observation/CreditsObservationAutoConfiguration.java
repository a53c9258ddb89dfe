package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Observes and counts the library with Micrometer, when it is on the class path: a
 * {@link CreditsObservationDecorator} when there is an {@link ObservationRegistry} bean, and the
 * {@link CreditsMetricsListener} and {@link CreditsMetricsDecorator} counters when there is a
 * {@link MeterRegistry} bean (they count with or without observations). It runs after Spring Boot's
 * observation and metrics auto-configurations, whose registries it uses, and before
 * {@link CreditsAutoConfiguration}, which applies the decorators and listeners. Each bean backs off
 * when the application defines its own of the same type.
 */
@AutoConfiguration(before = CreditsAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass(ObservationRegistry.class)
public final class CreditsObservationAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public CreditsObservationAutoConfiguration() {}

  /**
   * Observes the services.
   *
   * @param registry the application's observation registry
   * @return the decorator
   */
  @Bean
  @ConditionalOnBean(ObservationRegistry.class)
  @ConditionalOnMissingBean
  public CreditsObservationDecorator creditsObservationDecorator(ObservationRegistry registry) {
    return new CreditsObservationDecorator(registry);
  }

  /**
   * The counters; a nested configuration so that nothing names micrometer-core's classes when it is
   * absent (micrometer-observation does not need it).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  public static class MetricsConfiguration {

    /** Creates the configuration; Spring calls it. */
    public MetricsConfiguration() {}

    /**
     * Counts the credits each committed change moved.
     *
     * @param registry the application's meter registry
     * @return the listener
     */
    @Bean
    @ConditionalOnMissingBean
    public CreditsMetricsListener creditsMetricsListener(MeterRegistry registry) {
      return new CreditsMetricsListener(registry);
    }

    /**
     * Counts refused authorizations and store conflicts.
     *
     * @param registry the application's meter registry
     * @return the decorator
     */
    @Bean
    @ConditionalOnMissingBean
    public CreditsMetricsDecorator creditsMetricsDecorator(MeterRegistry registry) {
      return new CreditsMetricsDecorator(registry);
    }

    /**
     * Publishes the JDBC store's group commit counts, when it groups commits.
     *
     * @param registry the application's meter registry
     * @param store the credits store
     * @return the binder
     */
    @Bean
    @ConditionalOnMissingBean
    public GroupCommitMetrics creditsGroupCommitMetrics(MeterRegistry registry,
        ObjectProvider<CreditStore> store) {
      return new GroupCommitMetrics(registry, store);
    }
  }
}
