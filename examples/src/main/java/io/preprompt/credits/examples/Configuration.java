package io.preprompt.credits.examples;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.Ratio;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.plans.UpgradePolicy;
import io.preprompt.credits.spi.CreditStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * A host's own catalog: two tiers, one pack, its own rate card and settings, each checked when it
 * is built (a bad value is an {@code INVALID_CONFIGURATION} error at startup, not at the first sale).
 */
public final class Configuration {
  private Configuration() {}

  /**
   * The wired services of a host with its own catalog.
   *
   * @param credits the credit service
   * @param plans the plan service
   * @param gate the generation gate
   */
  public record Wired(CreditService credits, PlanService plans, GenerationGate gate) {}

  /**
   * Wires the services with a custom catalog, rate card and settings.
   *
   * @param store where the accounts live
   * @param clock the clock
   * @return the services
   */
  public static Wired wire(CreditStore store, InstantSource clock) {
    // tag::catalogs[]
    TierCatalog tiers = TierCatalog.builder()        // lowest first; exactly one free tier, first
        .tier(Tier.free("free", "Free", Entitlements.builder()
            .resolutions("720p").maxClipSeconds(5).maxVariants(2).models("standard").build()))
        .tier(Tier.paid("creator", "Creator", 2_500, Entitlements.builder()      // 2,500 credits a month
            .resolutions("720p", "1080p").maxClipSeconds(30).maxVariants(4).models("standard", "pro")
            .features("camera-control").build())
            .withRolloverCap(500))                                // up to 500 roll over; may buy packs
        .build();
    PackCatalog packs = PackCatalog.of(List.of(
        Pack.of("boost_1000", 1_000, Pack.Price.of(900, "EUR"))));  // 1,000 credits for 9.00 EUR

    Map<String, Ratio> resolutions = Map.of("720p", Ratio.ONE, "1080p", Ratio.of(3, 2));
    RateCard card = RateCard.of("2027-01", List.of(               // prices in millicredits
        ModelRate.perCall(GenerationKind.IMAGE, "standard", 6_000, resolutions),
        ModelRate.perCall(GenerationKind.IMAGE, "pro", 10_000, resolutions),
        ModelRate.perSecond(GenerationKind.VIDEO_CLIP, "standard", 4_000, 3_500, resolutions),
        ModelRate.perSecond(GenerationKind.VOICE_LINE, "standard", 500, 250, Map.of())),
        Ratio.of(1, 2));                                          // reshots at half price

    PlansConfig plansConfig = PlansConfig.defaults()
        .withSignupGrant(100)                                     // 100 credits on email verification
        .withUpgradePolicy(UpgradePolicy.AT_NEXT_CYCLE);          // no proration: upgrades wait too
    CreditsConfig creditsConfig = CreditsConfig.builder()
        .defaultHoldTtl(Duration.ofMinutes(5)).maxHoldTtl(Duration.ofHours(2))
        .maxCommitAttempts(16).sweepBatchSize(500).build();
    GateConfig gateConfig = GateConfig.defaults()
        .withHoldDeadline(GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30))
        .withLowBalanceThreshold(100);                            // warn below 100 credits

    Credits credits = Credits.builder().store(store).clock(clock).config(creditsConfig)
        .tiers(tiers).packs(packs).plans(plansConfig).rateCard(card).gate(gateConfig)
        .build();
    // end::catalogs[]
    return new Wired(credits.credits(), credits.plans(), credits.gate());
  }
}
