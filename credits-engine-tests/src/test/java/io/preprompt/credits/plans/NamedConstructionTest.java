package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.Ratio;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Tiers, entitlements, rates, packs, generation requests and configs are built only with named
 * factories and builders (their constructors are private, see {@link PublicApiRulesTest}); each is
 * exercised here with what it builds and the typed error it gives for bad input.
 */
@DisplayName("Construction that reads like the domain")
class NamedConstructionTest {
  private static final Entitlements SOME = Entitlements.builder().resolutions("720p", "1080p").maxClipSeconds(10)
      .maxVariants(4).models("standard", "pro").features("batch-reshoot").build();

  /** Runs a call that must refuse its input; returns the error code of the {@link InvalidRequestException}. */
  private static ErrorCode invalid(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(InvalidRequestException.class);
    return ((InvalidRequestException) t).code();
  }

  @Nested
  @DisplayName("Entitlements.builder()")
  class EntitlementsBuilder {
    @Test
    @DisplayName("sets each entitlement by name; unset ones allow nothing, clips of 0 seconds and 1 variant")
    void builds() {
      assertThat(SOME.resolutions()).containsExactlyInAnyOrder("720p", "1080p");
      assertThat(SOME.maxClipSeconds()).isEqualTo(10);
      assertThat(SOME.maxVariants()).isEqualTo(4);
      assertThat(SOME.models()).containsExactlyInAnyOrder("standard", "pro");
      assertThat(SOME.features()).containsExactly("batch-reshoot");
      Entitlements none = Entitlements.builder().build();
      assertThat(none.resolutions()).isEmpty();
      assertThat(none.models()).isEmpty();
      assertThat(none.features()).isEmpty();
      assertThat(none.maxClipSeconds()).isZero();
      assertThat(none.maxVariants()).isEqualTo(1);
      assertThat(Entitlements.builder().models("a", "a").build().models()).containsExactly("a");
    }

    @Test
    @DisplayName("equal when every entitlement is, whatever the order they were listed in")
    void valueEquality() {
      Entitlements same = Entitlements.builder().features("batch-reshoot").models("pro", "standard")
          .maxVariants(4).maxClipSeconds(10).resolutions("1080p", "720p").build();
      assertThat(same).isEqualTo(SOME).hasSameHashCodeAs(SOME);
      assertThat(Entitlements.builder().maxVariants(2).build()).isNotEqualTo(Entitlements.builder().build());
      assertThat(Entitlements.builder().maxClipSeconds(5).build())
          .hasToString("Entitlements[resolutions=[], maxClipSeconds=5, maxVariants=1, models=[], features=[]]");
    }

    @Test
    @DisplayName("refuses fewer than 1 variant, a negative clip length and nulls as configuration errors")
    void refuses() {
      assertThat(invalid(() -> Entitlements.builder().maxVariants(0).build())).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Entitlements.builder().maxClipSeconds(-1).build()))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Entitlements.builder().models("standard", null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Entitlements.builder().resolutions((String[]) null)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Entitlements.builder().features((String) null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("Tier.free and Tier.paid")
  class Tiers {
    @Test
    @DisplayName("the free tier has no allowance, rollover or packs")
    void free() {
      Tier free = Tier.free("free", "Free", SOME);
      assertThat(free.id()).isEqualTo("free");
      assertThat(free.name()).isEqualTo("Free");
      assertThat(free.paid()).isFalse();
      assertThat(free.monthlyAllowance()).isZero();
      assertThat(free.rolloverCap()).isZero();
      assertThat(free.rollover()).isEmpty();
      assertThat(free.packsAllowed()).isFalse();
      assertThat(free.entitlements()).isEqualTo(SOME);
    }

    @Test
    @DisplayName("a paid tier allows packs and no rollover until told otherwise")
    void paid() {
      Tier studio = Tier.paid("studio", "Studio", 1_000, SOME);
      assertThat(studio.paid()).isTrue();
      assertThat(studio.monthlyAllowance()).isEqualTo(1_000);
      assertThat(studio.packsAllowed()).isTrue();
      assertThat(studio.rollover()).isEmpty();
      Tier capped = studio.withRolloverCap(200).withoutPacks();
      assertThat(capped.rolloverCap()).isEqualTo(200);
      assertThat(capped.rollover()).hasValue(200);
      assertThat(capped.packsAllowed()).isFalse();
      assertThat(capped.monthlyAllowance()).isEqualTo(1_000);
      assertThat(studio.withRolloverCap(0).rollover()).isEmpty();
    }

    @Test
    @DisplayName("equal when every setting is, and printed like the record it was")
    void valueEquality() {
      Tier a = Tier.paid("studio", "Studio", 1_000, SOME).withRolloverCap(200);
      assertThat(a).isEqualTo(Tier.paid("studio", "Studio", 1_000, SOME).withRolloverCap(200)).hasSameHashCodeAs(
          Tier.paid("studio", "Studio", 1_000, SOME).withRolloverCap(200));
      assertThat(a).isNotEqualTo(a.withoutPacks()).isNotEqualTo(Tier.paid("studio", "Studio", 1_001, SOME));
      assertThat(Tier.free("free", "Free", Entitlements.builder().build())).hasToString("Tier[id=free, name=Free, "
          + "paid=false, monthlyAllowance=0, rolloverCap=0, entitlements=Entitlements[resolutions=[], maxClipSeconds=0, "
          + "maxVariants=1, models=[], features=[]], packsAllowed=false]");
    }

    @Test
    @DisplayName("refuses malformed ids and names, negative amounts, no entitlements and rollover on the free tier")
    void refuses() {
      assertThat(invalid(() -> Tier.free("Free Tier", "Free", SOME))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.free("free", " ", SOME))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.free("free", "Free", null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.paid("studio", "Studio", -1, SOME))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.paid(null, "Studio", 1, SOME))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.paid("studio", "Studio", 1, SOME).withRolloverCap(-1)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Tier.free("free", "Free", SOME).withRolloverCap(10)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("Pack.of with a named Pack.Price")
  class Packs {
    @Test
    @DisplayName("keeps credits and price apart")
    void builds() {
      Pack pack = Pack.of("pack_500", 500, Pack.Price.of(450, "EUR"));
      assertThat(pack.id()).isEqualTo("pack_500");
      assertThat(pack.credits()).isEqualTo(500);
      assertThat(pack.priceMinor()).isEqualTo(450);
      assertThat(pack.currency()).isEqualTo("EUR");
      assertThat(pack).isEqualTo(Pack.of("pack_500", 500, Pack.Price.of(450, "EUR")))
          .hasSameHashCodeAs(Pack.of("pack_500", 500, Pack.Price.of(450, "EUR")))
          .isNotEqualTo(Pack.of("pack_500", 450, Pack.Price.of(500, "EUR")))
          .hasToString("Pack[id=pack_500, credits=500, priceMinor=450, currency=EUR]");
    }

    @Test
    @DisplayName("refuses no price, amounts that are not positive, a malformed id or currency")
    void refuses() {
      assertThat(invalid(() -> Pack.of("pack_500", 500, null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Pack.of("pack_500", 0, Pack.Price.of(450, "EUR")))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Pack.of("pack_500", 500, Pack.Price.of(0, "EUR")))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Pack.of("pack_500", 500, Pack.Price.of(450, "euro"))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Pack.of("pack_500", 500, Pack.Price.of(450, null)))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> Pack.of("Pack 500", 500, Pack.Price.of(450, "EUR")))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("ModelRate.perCall and ModelRate.perSecond")
  class Rates {
    private final Map<String, Ratio> res = Map.of("720p", Ratio.ONE);

    @Test
    @DisplayName("a per-call rate has no per-second part; a per-second rate keeps both")
    void builds() {
      ModelRate image = ModelRate.perCall(GenerationKind.IMAGE, "standard", 8_000, res);
      assertThat(image.kind()).isEqualTo(GenerationKind.IMAGE);
      assertThat(image.model()).isEqualTo("standard");
      assertThat(image.baseMillis()).isEqualTo(8_000);
      assertThat(image.perSecondMillis()).isZero();
      assertThat(image.resolutionFactors()).isEqualTo(res);
      ModelRate voice = ModelRate.perSecond(GenerationKind.VOICE_LINE, "standard", 500, 300, Map.of());
      assertThat(voice.baseMillis()).isEqualTo(500);
      assertThat(voice.perSecondMillis()).isEqualTo(300);
      assertThat(voice.resolutionFactors()).isEmpty();
      assertThat(image).isEqualTo(ModelRate.perSecond(GenerationKind.IMAGE, "standard", 8_000, 0, res))
          .hasSameHashCodeAs(ModelRate.perCall(GenerationKind.IMAGE, "standard", 8_000, res)).isNotEqualTo(voice);
      assertThat(voice).hasToString(
          "ModelRate[kind=VOICE_LINE, model=standard, baseMillis=500, perSecondMillis=300, resolutionFactors={}]");
    }

    @Test
    @DisplayName("refuses free, negative or huge prices, no kind, a blank model and missing factors")
    void refuses() {
      assertThat(invalid(() -> ModelRate.perCall(GenerationKind.IMAGE, "m", 0, res))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perCall(GenerationKind.IMAGE, "m", -1, res))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perCall(GenerationKind.IMAGE, "m", 1_000_000_001L, res)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perSecond(GenerationKind.MUSIC_CUE, "m", 0, 0, Map.of())))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perSecond(GenerationKind.MUSIC_CUE, "m", 10, -1, Map.of())))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perCall(null, "m", 1, res))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perCall(GenerationKind.IMAGE, " ", 1, res))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> ModelRate.perCall(GenerationKind.IMAGE, "m", 1, null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      Map<String, Ratio> withNull = new HashMap<>();
      withNull.put("720p", null);
      assertThat(invalid(() -> ModelRate.perSecond(GenerationKind.VIDEO_CLIP, "m", 1, 1, withNull)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("GenerationRequest.image, clip, voice and music")
  class Requests {
    @Test
    @DisplayName("each kind from its own factory, one variant, not a reshot, then changed by name")
    void builds() {
      GenerationRequest image = GenerationRequest.image("standard", "720p");
      assertThat(image.kind()).isEqualTo(GenerationKind.IMAGE);
      assertThat(image.model()).isEqualTo("standard");
      assertThat(image.resolution()).isEqualTo("720p");
      assertThat(image.resolutionOption()).hasValue("720p");
      assertThat(image.durationSeconds()).isZero();
      assertThat(image.variants()).isEqualTo(1);
      assertThat(image.reshot()).isFalse();
      assertThat(image.feature()).isNull();
      GenerationRequest clip = GenerationRequest.clip("pro", "1080p", 8).withVariants(2).asReshot().withFeature("upscale");
      assertThat(clip.kind()).isEqualTo(GenerationKind.VIDEO_CLIP);
      assertThat(clip.durationSeconds()).isEqualTo(8);
      assertThat(clip.variants()).isEqualTo(2);
      assertThat(clip.reshot()).isTrue();
      assertThat(clip.feature()).isEqualTo("upscale");
      GenerationRequest voice = GenerationRequest.voice("narrator", 30);
      assertThat(voice.kind()).isEqualTo(GenerationKind.VOICE_LINE);
      assertThat(voice.resolution()).isNull();
      assertThat(voice.resolutionOption()).isEmpty();
      assertThat(GenerationRequest.music("score", 45).kind()).isEqualTo(GenerationKind.MUSIC_CUE);
      assertThat(clip).isEqualTo(GenerationRequest.clip("pro", "1080p", 8).asReshot().withFeature("upscale").withVariants(2))
          .hasSameHashCodeAs(GenerationRequest.clip("pro", "1080p", 8).withVariants(2).asReshot().withFeature("upscale"))
          .isNotEqualTo(GenerationRequest.clip("pro", "1080p", 8));
    }

    @Test
    @DisplayName("refuses a blank model, durations and variant counts out of range and a blank feature")
    void refuses() {
      assertThat(invalid(() -> GenerationRequest.image(" ", "720p"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(invalid(() -> GenerationRequest.clip("pro", "1080p", 0))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(invalid(() -> GenerationRequest.voice("narrator", 3601))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(invalid(() -> GenerationRequest.music("score", -1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(invalid(() -> GenerationRequest.image("standard", "720p").withVariants(65)))
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(invalid(() -> GenerationRequest.image("standard", "720p").withFeature(" ")))
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Nested
  @DisplayName("CreditsConfig.builder()")
  class EngineSettings {
    @Test
    @DisplayName("starts from the defaults and sets each value by name")
    void builds() {
      CreditsConfig defaults = CreditsConfig.defaults();
      assertThat(CreditsConfig.builder().build()).isEqualTo(defaults).hasSameHashCodeAs(defaults);
      assertThat(defaults).hasToString(
          "CreditsConfig[defaultHoldTtl=PT15M, maxHoldTtl=PT168H, maxCommitAttempts=32, sweepBatchSize=500,"
              + " overagePolicy=refuse]");
      CreditsConfig c = CreditsConfig.builder().defaultHoldTtl(Duration.ofMinutes(5)).maxHoldTtl(Duration.ofHours(2))
          .maxCommitAttempts(8).sweepBatchSize(50).overagePolicy(OveragePolicy.allowDebt(70)).build();
      assertThat(c.overagePolicy()).isEqualTo(OveragePolicy.allowDebt(70));
      assertThat(c).isNotEqualTo(CreditsConfig.builder().defaultHoldTtl(Duration.ofMinutes(5))
          .maxHoldTtl(Duration.ofHours(2)).maxCommitAttempts(8).sweepBatchSize(50).build());
      assertThat(c.defaultHoldTtl()).isEqualTo(Duration.ofMinutes(5));
      assertThat(c.maxHoldTtl()).isEqualTo(Duration.ofHours(2));
      assertThat(c.maxCommitAttempts()).isEqualTo(8);
      assertThat(c.sweepBatchSize()).isEqualTo(50);
      assertThat(CreditsConfig.builder().defaultHoldTtl(Duration.ofDays(8)).build().maxHoldTtl())
          .as("the max ttl grows to a longer default").isEqualTo(Duration.ofDays(8));
    }

    @Test
    @DisplayName("refuses each value out of range at once")
    void refuses() {
      assertThat(invalid(() -> CreditsConfig.builder().defaultHoldTtl(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().defaultHoldTtl(Duration.ZERO))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().maxHoldTtl(Duration.ofMinutes(1))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().maxHoldTtl(CreditsConfig.LONGEST_HOLD_TTL.plusSeconds(1))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().maxHoldTtl(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().maxCommitAttempts(1001))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().sweepBatchSize(0))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> CreditsConfig.builder().overagePolicy(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("GateConfig.defaults().with...")
  class GateSettings {
    @Test
    @DisplayName("changes one named setting at a time")
    void builds() {
      GateConfig gate = GateConfig.defaults().withHoldDeadline(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))
          .withLowBalanceThreshold(100);
      assertThat(gate.holdDeadlines()).containsEntry(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))
          .containsEntry(GenerationKind.IMAGE, Duration.ofMinutes(2)).hasSize(4);
      assertThat(gate.lowBalanceThreshold()).isEqualTo(100);
      assertThat(GateConfig.defaults().lowBalanceThreshold()).isEqualTo(50);
      assertThat(gate).isEqualTo(GateConfig.defaults().withLowBalanceThreshold(100)
          .withHoldDeadline(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))).isNotEqualTo(GateConfig.defaults());
      assertThat(GateConfig.defaults()).hasSameHashCodeAs(GateConfig.defaults());
    }

    @Test
    @DisplayName("refuses a deadline that is missing, not positive or too long, no kind, and a negative threshold")
    void refuses() {
      assertThat(invalid(() -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, Duration.ofDays(400))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, Duration.ofSeconds(-1))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, null)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> GateConfig.defaults().withHoldDeadline(null, Duration.ofMinutes(1))))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> GateConfig.defaults().withLowBalanceThreshold(-1))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("PlansConfig.defaults().with...")
  class PlanSettings {
    @Test
    @DisplayName("changes one named setting at a time")
    void builds() {
      PlansConfig defaults = PlansConfig.defaults();
      assertThat(defaults.signupGrant()).isEqualTo(200);
      assertThat(defaults.upgradePolicy()).isEqualTo(UpgradePolicy.PRORATE_NOW);
      assertThat(defaults.zone()).isEqualTo(ZoneId.of("UTC"));
      assertThat(defaults.renewalBatchSize()).isEqualTo(500);
      PlansConfig plans = defaults.withZone(ZoneId.of("Europe/Berlin")).withRenewalBatchSize(50).withSignupGrant(0)
          .withUpgradePolicy(UpgradePolicy.AT_NEXT_CYCLE);
      assertThat(plans.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
      assertThat(plans.renewalBatchSize()).isEqualTo(50);
      assertThat(plans.signupGrant()).isZero();
      assertThat(plans.upgradePolicy()).isEqualTo(UpgradePolicy.AT_NEXT_CYCLE);
      assertThat(plans).isNotEqualTo(defaults).isEqualTo(PlansConfig.defaults().withSignupGrant(0)
          .withUpgradePolicy(UpgradePolicy.AT_NEXT_CYCLE).withRenewalBatchSize(50).withZone(ZoneId.of("Europe/Berlin")));
      assertThat(defaults).hasSameHashCodeAs(PlansConfig.defaults())
          .hasToString("PlansConfig[signupGrant=200, upgradePolicy=PRORATE_NOW, zone=UTC, renewalBatchSize=500]");
    }

    @Test
    @DisplayName("refuses a negative grant, no zone or policy and an empty renewal batch")
    void refuses() {
      assertThat(invalid(() -> PlansConfig.defaults().withSignupGrant(-1))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> PlansConfig.defaults().withZone(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> PlansConfig.defaults().withUpgradePolicy(null))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(invalid(() -> PlansConfig.defaults().withRenewalBatchSize(0))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }
}
