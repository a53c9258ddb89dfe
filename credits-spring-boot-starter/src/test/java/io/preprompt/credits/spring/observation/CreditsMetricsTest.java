package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@DisplayName("The counters follow the credits an account's journey moves, with no observation registry")
class CreditsMetricsTest {
  private static final AccountId ANA = AccountId.of("ana");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
          CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
      .withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "credits.housekeeping.enabled=false")
      .withBean(MeterRegistry.class, () -> meters)
      .withBean(InstantSource.class, () -> clock);

  @Test
  @DisplayName("grant, settle, release, an expired hold and an expired lot each land in their counter")
  void journey() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(CreditsObservationDecorator.class);
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(100), null, IdempotencyKey.of("grant"));

      Hold spent = credits.hold(HoldRequest.of(ANA, CreditAmount.of(30), IdempotencyKey.of("h1")));
      credits.settle(ANA, spent.id(), CreditAmount.of(20), IdempotencyKey.of("h1-done"));
      Hold dropped = credits.hold(HoldRequest.of(ANA, CreditAmount.of(10), IdempotencyKey.of("h2")));
      credits.release(ANA, dropped.id(), "failed", IdempotencyKey.of("h2-done"));
      credits.hold(HoldRequest.of(ANA, CreditAmount.of(5), IdempotencyKey.of("h3")).withTtl(Duration.ofMinutes(1)));
      clock.advance(Duration.ofMinutes(2));
      credits.sweep();

      credits.grant(ANA, LotSource.MONTHLY_ALLOWANCE, CreditAmount.of(7), clock.instant().plus(Duration.ofHours(1)),
          IdempotencyKey.of("allowance"));
      clock.advance(Duration.ofHours(2));
      credits.sweep();

      assertThat(count("credits.granted", "promotion")).isEqualTo(100);
      assertThat(count("credits.granted", "monthly_allowance")).isEqualTo(7);
      assertThat(count("credits.settled", "promotion")).isEqualTo(20);
      assertThat(count("credits.released", "promotion")).isEqualTo(10 + 10 + 5);
      assertThat(count("credits.expired", "monthly_allowance")).isEqualTo(7);
      assertThat(count("credits.expired", "promotion")).isZero();
      assertThat(meters.get("credits.granted").tag("source", "pack").counter().getId().getBaseUnit())
          .isEqualTo("credits");
    });
  }

  @Test
  @DisplayName("an authorization refused for credits or for the tier counts as a blocked generation")
  void blockedGenerations() {
    runner.run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      GenerationGate gate = context.getBean(GenerationGate.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));

      Authorization broke = gate.authorize(ANA, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("g1"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
      Authorization tooFine = gate.authorize(ANA, GenerationRequest.image("standard", "4k"), IdempotencyKey.of("g2"));
      Authorization fine = gate.authorize(ANA, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("g3"));

      assertThat(broke).isInstanceOf(Authorization.InsufficientCredits.class);
      assertThat(tooFine).isInstanceOf(Authorization.NotInTier.class);
      assertThat(fine).isInstanceOf(Authorization.Authorized.class);
      assertThat(meters.get("credits.generations.blocked").tag("reason", "insufficient_credits").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("credits.generations.blocked").tag("reason", "not_in_tier").counter().count())
          .isEqualTo(1);
      assertThat(meters.get("credits.conflicts.retried").counter().count()).isZero();
    });
  }

  @Test
  @DisplayName("a settle above its hold counts what was charged from available credits, as debt and uncollected,"
      + " once however often it is replayed; credits received later count as debt repaid")
  void overage() {
    runner.withPropertyValues("credits.overage.policy=allow-debt:20").run(context -> {
      CreditService credits = context.getBean(CreditService.class);
      credits.openAccount(ANA, IdempotencyKey.of("open"));
      credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(10), null, IdempotencyKey.of("grant"));
      Hold hold = credits.hold(HoldRequest.of(ANA, CreditAmount.of(8), IdempotencyKey.of("h1")));
      for (int i = 0; i < 2; i++) {
        Settlement s = credits.settle(ANA, hold.id(), CreditAmount.of(40), IdempotencyKey.of("h1-done"));
        assertThat(s.uncollected()).isEqualTo(10);
      }
      assertThat(count("credits.overage", "outcome", "charged")).isEqualTo(2);
      assertThat(count("credits.overage", "outcome", "debt")).isEqualTo(20);
      assertThat(count("credits.overage", "outcome", "uncollected")).isEqualTo(10);
      assertThat(count("credits.settled", "source", "promotion")).as("the hold's part").isEqualTo(8);
      assertThat(credits.balance(ANA).debt()).isEqualTo(20);

      credits.grant(ANA, LotSource.ADJUSTMENT, CreditAmount.of(50), null, IdempotencyKey.of("grant-2"));
      assertThat(meters.get("credits.debt.repaid").counter().count()).isEqualTo(20);
      assertThat(credits.balance(ANA).available()).isEqualTo(30);
    });
  }

  @Test
  @DisplayName("counters of the application's own replace the starter's")
  void backsOff() {
    CreditsMetricsListener listener = new CreditsMetricsListener(meters);
    CreditsMetricsDecorator decorator = new CreditsMetricsDecorator(meters);
    runner.withBean("ownListener", CreditsMetricsListener.class, () -> listener)
        .withBean("ownDecorator", CreditsMetricsDecorator.class, () -> decorator)
        .run(context -> {
          assertThat(context).getBean(CreditsMetricsListener.class).isSameAs(listener);
          assertThat(context).getBean(CreditsMetricsDecorator.class).isSameAs(decorator);
        });
  }

  private double count(String name, String tag, String value) {
    return meters.get(name).tag(tag, value).counter().count();
  }

  private double count(String name, String source) {
    return meters.get(name).tag("source", source).counter().count();
  }
}
