package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.plans.PlanService;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("credits.overage.policy and credits.tiers[].overage set the overage policies")
class OveragePropertiesTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "credits.housekeeping.enabled=false");

  @Test
  @DisplayName("without a setting, settles above their hold are refused")
  void defaultIsRefuse() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CreditsSettings.class).engine().overagePolicy()).isEqualTo(OveragePolicy.refuse());
      assertThat(context.getBean(CreditsProperties.class).overage().policy()).isEqualTo("refuse");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      refuse             | refuse
      take-available     | takeAvailable
      TAKE_AVAILABLE     | takeAvailable
      takeAvailable      | takeAvailable
      allow-debt:500     | allowDebt(500)
      ' allow-debt: 0 '  | allowDebt(0)
      allowDebt(75)      | allowDebt(75)
      """)
  void policy_isRead(String written, String policy) {
    runner.withPropertyValues("credits.overage.policy=" + written).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CreditsSettings.class).engine().overagePolicy())
          .isEqualTo(OveragePolicy.parse(policy));
    });
  }

  @Test
  @DisplayName("a tier's policy applies to its accounts, the default to the others, an account's own over both")
  void tierPolicy() {
    runner.withPropertyValues("credits.overage.policy=take-available",
        "credits.tiers[0].id=free", "credits.tiers[0].name=Free", "credits.tiers[0].overage=allow-debt:25",
        "credits.tiers[1].id=studio", "credits.tiers[1].name=Studio", "credits.tiers[1].paid=true",
        "credits.tiers[1].monthly-allowance=1000").run(context -> {
          assertThat(context).hasNotFailed();
          PlanService plans = context.getBean(PlanService.class);
          assertThat(plans.tiers().require("free").overage()).contains(OveragePolicy.allowDebt(25));
          assertThat(plans.tiers().require("studio").overage()).isEmpty();
          CreditService credits = context.getBean(CreditService.class);
          AccountId ana = AccountId.of("ana");
          credits.openAccount(ana, IdempotencyKey.of("open"));
          assertThat(credits.overagePolicy(ana)).isEqualTo(OveragePolicy.allowDebt(25));
          assertThat(plans.overview(ana).overagePolicy()).isEqualTo(OveragePolicy.allowDebt(25));
          credits.setOveragePolicy(ana, OveragePolicy.refuse(), IdempotencyKey.of("own"));
          assertThat(credits.overagePolicy(ana)).isEqualTo(OveragePolicy.refuse());
        });
  }
}
