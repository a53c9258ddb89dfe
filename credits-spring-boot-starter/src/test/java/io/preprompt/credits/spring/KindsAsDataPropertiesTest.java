package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.PlanService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A kind is a string key in the properties: token prices, per-kind deadlines and per-kind models bind. */
class KindsAsDataPropertiesTest {

  @Test
  void tokenRates_perKindDeadlines_andModelsPerKind_bind() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:kinds;DB_CLOSE_DELAY=-1",
            "credits.housekeeping.enabled=false",
            "credits.rate-card.version=2027-01",
            "credits.rate-card.rates[0].kind=image", "credits.rate-card.rates[0].model=standard",
            "credits.rate-card.rates[0].per-call=8000", "credits.rate-card.rates[0].resolution-factors.720p=1",
            "credits.rate-card.rates[1].kind=chat", "credits.rate-card.rates[1].model=chat-mini",
            "credits.rate-card.rates[1].input-per-million=150000", "credits.rate-card.rates[1].output-per-million=600000",
            "credits.rate-card.rates[1].base=500",
            "credits.gate.hold-deadlines.chat=1m", "credits.gate.hold-deadlines.video-clip=30m",
            "credits.gate.default-hold-deadline=3m",
            "credits.tiers[0].id=free", "credits.tiers[0].name=Free",
            "credits.tiers[0].entitlements.models[0]=standard",
            "credits.tiers[0].entitlements.resolutions[0]=720p",
            "credits.tiers[0].entitlements.models-by-kind.chat[0]=chat-mini",
            "credits.tiers[1].id=pro", "credits.tiers[1].name=Pro", "credits.tiers[1].paid=true",
            "credits.tiers[1].monthly-allowance=1000", "credits.tiers[1].entitlements.models[0]=standard")
        .run(context -> {
          assertThat(context).hasNotFailed();
          GenerationKind chat = GenerationKind.of("CHAT");
          GenerationGate gate = context.getBean(GenerationGate.class);
          assertThat(gate.rateCard().kinds()).containsExactly(GenerationKind.IMAGE, chat);
          // 500 + 3000 x 0.15 + 4000 x 0.6 = 3350 mc -> 4 credits
          assertThat(gate.rateCard().estimate(GenerationRequest.tokens(chat, "chat-mini", 3_000, 4_000)).credits())
              .isEqualTo(4);
          CreditsSettings settings = context.getBean(CreditsSettings.class);
          assertThat(settings.gate().holdDeadline(chat)).isEqualTo(Duration.ofMinutes(1));
          assertThat(settings.gate().holdDeadline(GenerationKind.VIDEO_CLIP)).isEqualTo(Duration.ofMinutes(30));
          assertThat(settings.gate().holdDeadline(GenerationKind.of("OCR"))).isEqualTo(Duration.ofMinutes(3));
          PlanService plans = context.getBean(PlanService.class);
          assertThat(plans.tiers().free().entitlements().models("CHAT")).containsExactly("chat-mini");
          assertThat(plans.tiers().free().entitlements().models("IMAGE")).containsExactly("standard");
        });
  }
}
