package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.tck.MeterRegistryAssert;
import io.micrometer.observation.ObservationRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("With Boot's meter observation handler, each call is timed as credits.operation")
class CreditsOperationTimerTest {
  private static final AccountId ANA = AccountId.of("ana");

  @Test
  @DisplayName("the timer carries operation, outcome and error.code, and never the account")
  void timer() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));

    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            "credits.housekeeping.enabled=false")
        .withBean(MeterRegistry.class, () -> meters)
        .withBean(ObservationRegistry.class, () -> observations)
        .run(context -> {
          CreditService credits = context.getBean(CreditService.class);
          credits.openAccount(ANA, IdempotencyKey.of("open"));
          assertThatThrownBy(() -> credits.hold(HoldRequest.of(ANA, CreditAmount.of(5), IdempotencyKey.of("h"))))
              .isInstanceOf(InsufficientCreditsException.class);

          MeterRegistryAssert.assertThat(meters)
              .hasTimerWithNameAndTags("credits.operation",
                  Tags.of("operation", "open_account", "outcome", "success", "error.code", "none"))
              .hasTimerWithNameAndTags("credits.operation",
                  Tags.of("operation", "hold", "outcome", "refused", "error.code", "INSUFFICIENT_CREDITS"));
          assertThat(meters.get("credits.operation").timers())
              .allSatisfy(t -> assertThat(t.getId().getTag("credits.account")).isNull());
        });
  }
}
