package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("The credits health indicator")
class CreditsHealthIndicatorTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class,
          CreditsHealthAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "credits.housekeeping.enabled=false");

  @Test
  @DisplayName("is UP, as the contributor 'credits', over a database with the schema")
  void up() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasBean("creditsHealthIndicator");
      Health health = context.getBean("creditsHealthIndicator", HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  @DisplayName("is DOWN with SCHEMA_NOT_INSTALLED over a database without the schema")
  void down_withoutSchema() throws Exception {
    try (Connection empty = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID())) {
      JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.H2).build();
      Health health = new CreditsHealthIndicator(JdbcCreditStore.withConnection(empty, config)).health();

      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("code", "SCHEMA_NOT_INSTALLED").containsKey("message");
    }
  }

  @Test
  @DisplayName("backs off when the application names its own creditsHealthIndicator")
  void backsOff() {
    HealthIndicator own = () -> Health.outOfService().build();
    runner.withBean("creditsHealthIndicator", HealthIndicator.class, () -> own)
        .run(context -> {
          assertThat(context).doesNotHaveBean(CreditsHealthIndicator.class);
          assertThat(context.getBean("creditsHealthIndicator")).isSameAs(own);
        });
  }
}
