package io.preprompt.credits.spring.observation;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Adds the {@code credits} health contributor, a {@link CreditsHealthIndicator} over the
 * {@link CreditStore} bean, when Spring Boot's health support is on the class path. It runs after
 * {@link CreditsAutoConfiguration}, whose store it probes, and backs off when the application
 * defines a bean named {@code creditsHealthIndicator}.
 */
@AutoConfiguration(after = CreditsAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CreditStore.class)
public final class CreditsHealthAutoConfiguration {

  /** Creates the configuration; Spring calls it. */
  public CreditsHealthAutoConfiguration() {}

  /**
   * The store's health, contributed as {@code credits}.
   *
   * @param store the store
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "creditsHealthIndicator")
  public CreditsHealthIndicator creditsHealthIndicator(CreditStore store) {
    return new CreditsHealthIndicator(store);
  }
}
