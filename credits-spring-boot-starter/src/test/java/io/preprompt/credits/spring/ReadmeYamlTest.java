package io.preprompt.credits.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.PlanService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/** The README's {@code application.yml} starts an application, with the settings it shows. */
class ReadmeYamlTest {

  @Test
  void theReadmesApplicationYml_starts_withItsSettings() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = readme.substring(start, readme.indexOf("```", start));
    List<PropertySource<?>> sources = new YamlPropertySourceLoader()
        .load("README application.yml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CreditsAutoConfiguration.class))
        .withInitializer(context -> sources.forEach(s -> context.getEnvironment().getPropertySources().addLast(s)))
        // The README's server is PostgreSQL; this test keeps every other setting and runs on H2.
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:readme;DB_CLOSE_DELAY=-1",
            "spring.datasource.username=sa", "credits.housekeeping.enabled=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          CreditsProperties properties = context.getBean(CreditsProperties.class);
          assertThat(properties.engine().defaultHoldTtl()).isEqualTo(Duration.ofMinutes(10));
          PlanService plans = context.getBean(PlanService.class);
          assertThat(plans.tiers().tiers()).extracting(t -> t.id()).containsExactly("free", "studio");
          assertThat(plans.tiers().require("studio").rolloverCap()).isEqualTo(500);
          assertThat(plans.tiers().require("studio").overage()).contains(OveragePolicy.allowDebt(500));
          assertThat(context.getBean(CreditsSettings.class).engine().overagePolicy())
              .isEqualTo(OveragePolicy.takeAvailable());
          assertThat(plans.packs().require("pack_5000").tiers()).containsExactly("studio");
          GenerationGate gate = context.getBean(GenerationGate.class);
          assertThat(gate.rateCard().version()).isEqualTo("2026-12");
          assertThat(gate.rateCard().estimate(GenerationRequest.image("standard", "1080p")).credits()).isEqualTo(12);
          assertThat(context.getBean(CreditsSettings.class).gate().holdDeadlines())
              .containsEntry(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30));
        });
  }
}
