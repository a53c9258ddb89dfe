package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.CreditStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class H2AutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:smoke;DB_CLOSE_DELAY=-1",
          "credits.housekeeping.enabled=false");

  @Test
  void givenADataSource_theWholeLibraryWorks() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(CreditStore.class).hasSingleBean(Credits.class)
          .hasSingleBean(CreditService.class).hasSingleBean(PlanService.class).hasSingleBean(GenerationGate.class);
      CreditService credits = context.getBean(CreditService.class);
      AccountId ana = AccountId.of("ana");
      credits.openAccount(ana, IdempotencyKey.of("open"));
      credits.grant(ana, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));
      assertThat(credits.balance(ana).available()).isEqualTo(40);
    });
  }
}
