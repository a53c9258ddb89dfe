package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spring.CreditsAutoConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * What Prometheus scrapes after a short journey: the operation timer and the counters under their
 * Prometheus names. The scrape's credits lines are written to {@code target/prometheus-sample.txt}.
 */
class PrometheusScrapeTest {
  private static final AccountId ANA = AccountId.of("ana");

  @Test
  void aScrape_showsTheTimerAndTheCounters() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(prometheus));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
            CreditsObservationAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:scrape;DB_CLOSE_DELAY=-1",
            "credits.housekeeping.enabled=false")
        .withBean(MeterRegistry.class, () -> prometheus)
        .withBean(ObservationRegistry.class, () -> observations)
        .run(context -> {
          context.getBean(CreditService.class).openAccount(ANA, IdempotencyKey.of("open"));
          context.getBean(PlanService.class).verifyEmail(ANA, IdempotencyKey.of("verify"));
          GenerationGate gate = context.getBean(GenerationGate.class);
          Authorization ok = gate.authorize(ANA, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("g1"));
          Authorization.Authorized held = (Authorization.Authorized) ok;
          gate.succeeded(ANA, held.hold().id(), io.preprompt.credits.core.CreditAmount.of(8), IdempotencyKey.of("g1-ok"));
          Authorization big = gate.authorize(ANA, GenerationRequest.clip("cinematic", "4k", 10), IdempotencyKey.of("g2"));
          assertThat(big).isNotInstanceOf(Authorization.Authorized.class);
        });
    String scrape = prometheus.scrape();
    String credits = Arrays.stream(scrape.split("\n")).filter(l -> l.contains("credits_"))
        .collect(Collectors.joining("\n"));
    Files.writeString(Path.of("target/prometheus-sample.txt"), credits + "\n", StandardCharsets.UTF_8);
    assertThat(scrape)
        .contains("credits_operation_seconds_count{error=\"none\",error_code=\"none\",operation=\"authorize\","
            + "outcome=\"success\"} 1")
        .contains("credits_granted_credits_total{source=\"signup_grant\"} 200")
        .contains("credits_settled_credits_total{source=\"signup_grant\"} 8")
        .containsPattern("credits_generations_blocked_total\\{reason=\"(insufficient_credits|not_in_tier)\"} 1")
        .doesNotContain("ana");
  }
}
