package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.CreditsException;
import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.Ratio;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The named factories and builders build exactly what the positional constructors did. */
@DisplayName("Construction that reads like the domain")
class NamedConstructionTest {
  private static final Entitlements SOME = Entitlements.builder().resolutions("720p", "1080p").maxClipSeconds(10)
      .maxVariants(4).models("standard", "pro").features("batch-reshoot").build();

  private static ErrorCode code(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).isInstanceOf(CreditsException.class);
    return ((CreditsException) t).code();
  }

  @Test
  @DisplayName("entitlements, free and paid tiers, rollover and packs off")
  void tiers() {
    assertThat(SOME).isEqualTo(new Entitlements(Set.of("720p", "1080p"), 10, 4, Set.of("standard", "pro"),
        Set.of("batch-reshoot")));
    assertThat(Tier.free("free", "Free", SOME)).isEqualTo(new Tier("free", "Free", false, 0, 0, SOME, false));
    assertThat(Tier.paid("studio", "Studio", 1_000, SOME).withRolloverCap(200).withoutPacks())
        .isEqualTo(new Tier("studio", "Studio", true, 1_000, 200, SOME, false));
    assertThat(code(() -> Tier.free("free", "Free", SOME).withRolloverCap(10))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThat(code(() -> Tier.paid("studio", "Studio", -1, SOME))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThat(code(() -> Entitlements.builder().maxVariants(0).build())).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
  }

  @Test
  @DisplayName("packs with a named price, rates per call and per second")
  void packsAndRates() {
    assertThat(Pack.of("pack_500", 500, Pack.Price.of(450, "EUR"))).isEqualTo(new Pack("pack_500", 500, 450, "EUR"));
    assertThat(code(() -> Pack.of("pack_500", 500, null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThat(code(() -> Pack.of("pack_500", 500, Pack.Price.of(450, "euro")))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    Map<String, Ratio> res = Map.of("720p", Ratio.ONE);
    assertThat(ModelRate.perCall(GenerationKind.IMAGE, "standard", 8_000, res))
        .isEqualTo(new ModelRate(GenerationKind.IMAGE, "standard", 8_000, 0, res));
    assertThat(ModelRate.perSecond(GenerationKind.VOICE_LINE, "standard", 500, 300, Map.of()))
        .isEqualTo(new ModelRate(GenerationKind.VOICE_LINE, "standard", 500, 300, Map.of()));
  }

  @Test
  @DisplayName("configs changed one named setting at a time, each checked at once")
  void configs() {
    PlansConfig plans = PlansConfig.defaults().withZone(ZoneId.of("Europe/Berlin")).withRenewalBatchSize(50);
    assertThat(plans.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(plans.renewalBatchSize()).isEqualTo(50);
    assertThat(code(() -> PlansConfig.defaults().withRenewalBatchSize(0))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThat(code(() -> PlansConfig.defaults().withZone(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    GateConfig gate = GateConfig.defaults().withHoldDeadline(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))
        .withLowBalanceThreshold(100);
    assertThat(gate.holdDeadlines()).containsEntry(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))
        .containsEntry(GenerationKind.IMAGE, GateConfig.defaults().holdDeadlines().get(GenerationKind.IMAGE));
    assertThat(gate.lowBalanceThreshold()).isEqualTo(100);
    assertThat(code(() -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, Duration.ofDays(400))))
        .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    assertThat(code(() -> GateConfig.defaults().withLowBalanceThreshold(-1))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
  }
}
