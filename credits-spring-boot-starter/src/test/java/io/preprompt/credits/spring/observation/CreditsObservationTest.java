package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("Each service call is one credits.operation observation")
class CreditsObservationTest {
  private static final AccountId ANA = AccountId.of("ana");

  private final TestObservationRegistry registry = TestObservationRegistry.create();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "credits.housekeeping.enabled=false")
      .withBean(ObservationRegistry.class, () -> registry);

  @Test
  @DisplayName("a call that succeeds is observed with outcome success and error code none")
  void success() {
    runner.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      registry.clear();

      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));

      TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
          .hasNameEqualTo("credits.operation")
          .hasContextualNameEqualTo("credits grant")
          .hasLowCardinalityKeyValue("operation", "grant")
          .hasLowCardinalityKeyValue("outcome", "success")
          .hasLowCardinalityKeyValue("error.code", "none")
          .hasHighCardinalityKeyValue("credits.account", "ana")
          .doesNotHaveError()
          .hasBeenStarted()
          .hasBeenStopped();
    });
  }

  @Test
  @DisplayName("a call the library refuses is observed with outcome refused, its error code and the error")
  void refused() {
    runner.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));
      registry.clear();

      assertThatThrownBy(() -> credits.hold(HoldRequest.of(ANA, CreditAmount.of(100), IdempotencyKey.of("big"))))
          .isInstanceOf(InsufficientCreditsException.class);

      TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
          .hasNameEqualTo("credits.operation")
          .hasLowCardinalityKeyValue("operation", "hold")
          .hasLowCardinalityKeyValue("outcome", "refused")
          .hasLowCardinalityKeyValue("error.code", "INSUFFICIENT_CREDITS")
          .assertThatError().isInstanceOf(InsufficientCreditsException.class);
    });
  }

  @Test
  @DisplayName("an authorization the gate answers with insufficient credits is observed as blocked")
  void blockedAuthorization() {
    runner.run(context -> {
      context.getBean(CreditService.class).openAccount(ANA, IdempotencyKey.of("open"));
      GenerationGate gate = context.getBean(GenerationGate.class);
      registry.clear();

      Authorization answer = gate.authorize(ANA, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("gen"));

      assertThat(answer).isInstanceOf(Authorization.InsufficientCredits.class);
      TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
          .hasLowCardinalityKeyValue("operation", "authorize")
          .hasLowCardinalityKeyValue("outcome", "blocked")
          .hasLowCardinalityKeyValue("error.code", "none")
          .doesNotHaveError();
    });
  }

  @Test
  @DisplayName("an authorization that holds credits is observed as a success")
  void authorized() {
    runner.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));
      GenerationGate gate = context.getBean(GenerationGate.class);
      registry.clear();

      Authorization answer = gate.authorize(ANA, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("gen"));

      assertThat(answer).isInstanceOf(Authorization.Authorized.class);
      TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
          .hasLowCardinalityKeyValue("operation", "authorize")
          .hasLowCardinalityKeyValue("outcome", "success");
    });
  }

  @Test
  @DisplayName("extending holds, the overage policy and the automatic top-up are observed like every other call")
  void issue21Calls() {
    runner.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      GenerationGate gate = context.getBean(GenerationGate.class);
      PlanService plans = context.getBean(PlanService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));
      Hold hold = credits.hold(HoldRequest.of(ANA, CreditAmount.of(10), IdempotencyKey.of("hold")));
      Authorization.Authorized generation = (Authorization.Authorized) gate.authorize(ANA,
          GenerationRequest.image("standard", "720p"), IdempotencyKey.of("gen"));
      registry.clear();

      credits.extend(ANA, hold.id(), CreditAmount.of(5), null, IdempotencyKey.of("more"));
      gate.extend(ANA, generation.hold().id(), CreditAmount.of(2), IdempotencyKey.of("more-gen"));
      gate.extend(ANA, generation.hold().id(), CreditAmount.of(500), IdempotencyKey.of("much-more-gen"));
      credits.setOveragePolicy(ANA, OveragePolicy.takeAvailable(), IdempotencyKey.of("policy"));
      credits.overagePolicy(ANA);
      assertThatThrownBy(() -> plans.enableAutoTopUp(ANA, new AutoTopUp(10, "pack_500", 1_000),
          IdempotencyKey.of("top-up"))).isInstanceOf(StateException.class);
      plans.disableAutoTopUp(ANA, IdempotencyKey.of("top-up-off"));

      TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy(contexts ->
          assertThat(contexts.stream().map(c -> c.getLowCardinalityKeyValue("operation").getValue() + " "
              + c.getLowCardinalityKeyValue("outcome").getValue() + " "
              + c.getLowCardinalityKeyValue("error.code").getValue()).toList()).containsExactly(
                  "extend success none",
                  "extend_generation success none",
                  "extend_generation blocked none",
                  "set_overage_policy success none",
                  "overage_policy success none",
                  "enable_auto_top_up refused PACKS_REQUIRE_PAID_TIER",
                  "disable_auto_top_up success none"));
    });
  }

  @Test
  @DisplayName("without an observation registry no service is wrapped for observations")
  void noRegistry_noDecorator() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            "credits.housekeeping.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CreditsObservationDecorator.class));
  }

  @Test
  @DisplayName("an observation decorator of the application's own replaces the starter's")
  void backsOff() {
    CreditsObservationDecorator own = new CreditsObservationDecorator(ObservationRegistry.NOOP);
    runner.withBean("ownDecorator", CreditsObservationDecorator.class, () -> own)
        .run(context -> assertThat(context).getBean(CreditsObservationDecorator.class).isSameAs(own));
  }
}
