package io.preprompt.credits.examples;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.CreditsConfig;
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
import java.util.Set;

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
        .tier(new Tier("free", "Free", false, 0, 0,
            new Entitlements(Set.of("720p"), 5, 2, Set.of("standard"), Set.of()), false))
        .tier(new Tier("creator", "Creator", true, 2_500, 500,   // 2,500 a month, up to 500 roll over
            new Entitlements(Set.of("720p", "1080p"), 30, 4, Set.of("standard", "pro"), Set.of("camera-control")),
            true))                                                // may buy packs
        .build();
    PackCatalog packs = PackCatalog.of(List.of(new Pack("boost_1000", 1_000, 900, "EUR")));  // 1,000 for 9.00 EUR

    Map<String, Ratio> resolutions = Map.of("720p", Ratio.ONE, "1080p", Ratio.of(3, 2));
    RateCard card = RateCard.of("2027-01", List.of(               // prices in millicredits
        new ModelRate(GenerationKind.IMAGE, "standard", 6_000, 0, resolutions),
        new ModelRate(GenerationKind.IMAGE, "pro", 10_000, 0, resolutions),
        new ModelRate(GenerationKind.VIDEO_CLIP, "standard", 4_000, 3_500, resolutions),
        new ModelRate(GenerationKind.VOICE_LINE, "standard", 500, 250, Map.of())),
        Ratio.of(1, 2));                                          // reshots at half price

    PlansConfig plansConfig = PlansConfig.defaults()
        .withSignupGrant(100)                                     // 100 credits on email verification
        .withUpgradePolicy(UpgradePolicy.AT_NEXT_CYCLE);          // no proration: upgrades wait too
    CreditsConfig creditsConfig = new CreditsConfig(Duration.ofMinutes(5), Duration.ofHours(2), 16, 500);
    GateConfig gateConfig = new GateConfig(Map.of(GenerationKind.IMAGE, Duration.ofMinutes(2),
        GenerationKind.VIDEO_CLIP, Duration.ofMinutes(30), GenerationKind.VOICE_LINE, Duration.ofMinutes(2),
        GenerationKind.MUSIC_CUE, Duration.ofMinutes(5)), 100);   // warn below 100 credits

    Credits credits = Credits.builder().store(store).clock(clock).config(creditsConfig)
        .tiers(tiers).packs(packs).plans(plansConfig).rateCard(card).gate(gateConfig)
        .build();
    // end::catalogs[]
    return new Wired(credits.credits(), credits.plans(), credits.gate());
  }
}
