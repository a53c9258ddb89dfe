package io.preprompt.credits.spring;

import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.Ratio;
import io.preprompt.credits.gate.TokenPrices;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The library's settings built from {@link CreditsProperties} by the library's own factories, which
 * check every value. A value they refuse becomes a {@link CreditsConfigurationException} naming the
 * property, so a bad {@code application.yml} stops the application at startup, before anything is
 * written.
 *
 * @param engine the engine's settings
 * @param reuseCommittedAccounts whether a call may start from this process's last commit
 * @param plans the plan settings
 * @param tiers the tier catalog
 * @param packs the pack catalog
 * @param rateCard the rate card
 * @param gate the gate's settings
 */
public record CreditsSettings(CreditsConfig engine, boolean reuseCommittedAccounts, PlansConfig plans,
    TierCatalog tiers, PackCatalog packs, RateCard rateCard, GateConfig gate) {

  /**
   * Builds and checks the settings.
   *
   * @param p the bound properties
   * @return the settings
   * @throws CreditsConfigurationException naming the first property the library refuses
   */
  public static CreditsSettings from(CreditsProperties p) {
    CreditsConfig engine = engine(p.engine(), p.overage());
    PlansConfig plans = plans(p.plans());
    TierCatalog tiers = tiers(p.tiers());
    PackCatalog packs = packs(p.packs(), tiers);
    RateCard rateCard = rateCard(p.rateCard());
    GateConfig gate = gate(p.gate());
    if (p.housekeeping().enabled()) {
      CreditsHousekeeping.check(p.housekeeping());
    }
    return new CreditsSettings(engine, p.engine().reuseCommittedAccounts(), plans, tiers, packs, rateCard, gate);
  }

  private static CreditsConfig engine(CreditsProperties.Engine e, CreditsProperties.Overage overage) {
    CreditsConfig.Builder b = CreditsConfig.builder();
    OveragePolicy policy = overage("credits.overage.policy", overage.policy());
    checked("credits.overage.policy", () -> b.overagePolicy(policy));
    if (e.defaultHoldTtl() != null) {
      checked("credits.engine.default-hold-ttl", () -> b.defaultHoldTtl(e.defaultHoldTtl()));
    }
    if (e.maxHoldTtl() != null) {
      checked("credits.engine.max-hold-ttl", () -> b.maxHoldTtl(e.maxHoldTtl()));
    }
    if (e.maxCommitAttempts() != null) {
      checked("credits.engine.max-commit-attempts", () -> b.maxCommitAttempts(e.maxCommitAttempts()));
    }
    if (e.sweepBatchSize() != null) {
      checked("credits.engine.sweep-batch-size", () -> b.sweepBatchSize(e.sweepBatchSize()));
    }
    return checked(e.maxHoldTtl() != null ? "credits.engine.max-hold-ttl" : "credits.engine.default-hold-ttl",
        b::build);
  }

  private static PlansConfig plans(CreditsProperties.Plans p) {
    PlansConfig c = PlansConfig.defaults();
    if (p.signupGrant() != null) {
      PlansConfig base = c;
      c = checked("credits.plans.signup-grant", () -> base.withSignupGrant(p.signupGrant()));
    }
    if (p.upgradePolicy() != null) {
      PlansConfig base = c;
      c = checked("credits.plans.upgrade-policy", () -> base.withUpgradePolicy(p.upgradePolicy()));
    }
    if (p.zone() != null) {
      PlansConfig base = c;
      c = checked("credits.plans.zone", () -> base.withZone(p.zone()));
    }
    if (p.renewalBatchSize() != null) {
      PlansConfig base = c;
      c = checked("credits.plans.renewal-batch-size", () -> base.withRenewalBatchSize(p.renewalBatchSize()));
    }
    return c;
  }

  private static TierCatalog tiers(List<CreditsProperties.TierSettings> settings) {
    if (settings.isEmpty()) {
      return TierCatalog.defaults();
    }
    TierCatalog.Builder b = TierCatalog.builder();
    for (int i = 0; i < settings.size(); i++) {
      CreditsProperties.TierSettings t = settings.get(i);
      String at = "credits.tiers[" + i + "]";
      CreditsProperties.EntitlementSettings e = t.entitlements();
      Entitlements.Builder builder = checked(at + ".entitlements", () -> Entitlements.builder()
          .resolutions(e.resolutions().toArray(String[]::new))
          .maxClipSeconds(e.maxClipSeconds())
          .maxVariants(e.maxVariants())
          .models(e.models().toArray(String[]::new))
          .features(e.features().toArray(String[]::new)));
      for (Map.Entry<String, List<String>> m : e.modelsByKind().entrySet()) {
        String property = at + ".entitlements.models-by-kind." + m.getKey();
        GenerationKind kind = kind(property, m.getKey());
        checked(property, () -> builder.modelsFor(kind.name(), m.getValue().toArray(String[]::new)));
      }
      Entitlements entitlements = checked(at + ".entitlements", builder::build);
      if (t.monthlyAllowance() < 0) {
        throw new CreditsConfigurationException(at + ".monthly-allowance", "must not be negative, was "
            + t.monthlyAllowance(), null);
      }
      Tier tier = checked(at, () -> t.paid()
          ? Tier.paid(t.id(), t.name(), t.monthlyAllowance(), entitlements)
          : Tier.free(t.id(), t.name(), entitlements));
      if (!t.paid() && t.monthlyAllowance() != 0) {
        throw new CreditsConfigurationException(at + ".monthly-allowance",
            "a free tier has no monthly allowance (set paid: true), was " + t.monthlyAllowance(), null);
      }
      if (t.rolloverCap() != null) {
        Tier base = tier;
        tier = checked(at + ".rollover-cap", () -> base.withRolloverCap(t.rolloverCap()));
      }
      if (!t.packsAllowed()) {
        tier = tier.withoutPacks();
      }
      if (t.overage() != null) {
        Tier base = tier;
        OveragePolicy policy = overage(at + ".overage", t.overage());
        tier = checked(at + ".overage", () -> base.withOverage(policy));
      }
      Tier done = tier;
      checked(at + ".id", () -> b.tier(done));
    }
    return checked("credits.tiers", b::build);
  }

  private static PackCatalog packs(List<CreditsProperties.PackSettings> settings, TierCatalog tiers) {
    if (settings.isEmpty()) {
      return PackCatalog.defaults();
    }
    List<Pack> packs = new ArrayList<>();
    for (int i = 0; i < settings.size(); i++) {
      CreditsProperties.PackSettings s = settings.get(i);
      String at = "credits.packs[" + i + "]";
      if (s.credits() <= 0) {
        throw new CreditsConfigurationException(at + ".credits", "must be positive, was " + s.credits(), null);
      }
      if (s.priceMinor() <= 0) {
        throw new CreditsConfigurationException(at + ".price-minor", "must be positive, was " + s.priceMinor(), null);
      }
      Pack pack = checked(at, () -> Pack.of(s.id(), s.credits(), Pack.Price.of(s.priceMinor(), s.currency())));
      for (int j = 0; j < s.tiers().size(); j++) {
        String tier = s.tiers().get(j);
        if (tiers.find(tier).isEmpty()) {
          throw new CreditsConfigurationException(at + ".tiers[" + j + "]", "no tier '" + tier
              + "' in the tier catalog (" + tiers.tiers().stream().map(Tier::id).toList() + ")", null);
        }
      }
      if (!s.tiers().isEmpty()) {
        Pack base = pack;
        pack = checked(at + ".tiers", () -> base.onlyFor(s.tiers()));
      }
      packs.add(pack);
    }
    return checked("credits.packs", () -> PackCatalog.of(packs));
  }

  private static RateCard rateCard(CreditsProperties.RateCardSettings s) {
    if (s.rates().isEmpty()) {
      return RateCard.defaults();
    }
    Ratio reshot = ratio("credits.rate-card.reshot-factor", s.reshotFactor());
    List<ModelRate> rates = new ArrayList<>();
    for (int i = 0; i < s.rates().size(); i++) {
      CreditsProperties.RateSettings r = s.rates().get(i);
      String at = "credits.rate-card.rates[" + i + "]";
      if (r.kind() == null) {
        throw new CreditsConfigurationException(at + ".kind", "required: image, video-clip, voice-line, music-cue"
            + " or another kind's name", null);
      }
      GenerationKind kind = kind(at + ".kind", r.kind());
      Map<String, Ratio> factors = new LinkedHashMap<>();
      r.resolutionFactors().forEach((resolution, factor) ->
          factors.put(resolution, ratio(at + ".resolution-factors." + resolution, factor)));
      for (Map.Entry<String, Long> price : Map.of("per-call", nz(r.perCall()), "base", nz(r.base()),
          "per-second", nz(r.perSecond()), "input-per-million", nz(r.inputPerMillion()), "output-per-million",
          nz(r.outputPerMillion()), "cached-input-per-million", nz(r.cachedInputPerMillion()), "reasoning-per-million",
          nz(r.reasoningPerMillion())).entrySet()) {
        if (price.getValue() < 0) {
          throw new CreditsConfigurationException(at + "." + price.getKey(), "must not be negative, was "
              + price.getValue(), null);
        }
      }
      boolean tokens = r.inputPerMillion() != null || r.outputPerMillion() != null || r.cachedInputPerMillion() != null
          || r.reasoningPerMillion() != null;
      int ways = (r.perCall() != null ? 1 : 0) + (r.perSecond() != null ? 1 : 0) + (tokens ? 1 : 0);
      if (ways > 1 || r.perCall() != null && r.base() != null) {
        throw new CreditsConfigurationException(at + ".per-call", "a rate is per call, per second"
            + " (base and per-second) or per token (input-per-million and output-per-million), only one", null);
      }
      if (ways == 0) {
        throw new CreditsConfigurationException(at + ".per-call", "a rate needs per-call, base and per-second,"
            + " or input-per-million and output-per-million", null);
      }
      if (tokens && (r.inputPerMillion() == null || r.outputPerMillion() == null)) {
        throw new CreditsConfigurationException(at + (r.inputPerMillion() == null ? ".input-per-million"
            : ".output-per-million"), "required for a token price", null);
      }
      if (tokens && !factors.isEmpty()) {
        throw new CreditsConfigurationException(at + ".resolution-factors", "a token price has no resolutions", null);
      }
      rates.add(checked(at, () -> {
        if (r.perCall() != null) {
          return ModelRate.perCall(kind, r.model(), r.perCall(), factors);
        }
        if (r.perSecond() != null) {
          return ModelRate.perSecond(kind, r.model(), nz(r.base()), r.perSecond(), factors);
        }
        TokenPrices prices = new TokenPrices(nz(r.inputPerMillion()), nz(r.outputPerMillion()),
            r.cachedInputPerMillion(), r.reasoningPerMillion(), nz(r.base()));
        return ModelRate.perToken(kind, r.model(), prices);
      }));
    }
    return checked("credits.rate-card", () -> RateCard.of(s.version(), rates, reshot));
  }

  private static GateConfig gate(CreditsProperties.Gate g) {
    GateConfig c = GateConfig.defaults();
    if (g.lowBalanceThreshold() != null) {
      GateConfig base = c;
      c = checked("credits.gate.low-balance-threshold", () -> base.withLowBalanceThreshold(g.lowBalanceThreshold()));
    }
    if (g.defaultHoldDeadline() != null) {
      GateConfig base = c;
      c = checked("credits.gate.default-hold-deadline", () -> base.withDefaultHoldDeadline(g.defaultHoldDeadline()));
    }
    for (Map.Entry<String, Duration> e : g.holdDeadlines().entrySet()) {
      GateConfig base = c;
      String at = "credits.gate.hold-deadlines." + e.getKey();
      GenerationKind kind = kind(at, e.getKey());
      c = checked(at, () -> base.withHoldDeadline(kind, e.getValue()));
    }
    return c;
  }

  /** A kind as properties write it: {@code video-clip}, {@code video_clip} or {@code VIDEO_CLIP}. */
  private static GenerationKind kind(String property, String text) {
    return checked(property, () -> GenerationKind.of(text.trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT)));
  }

  /**
   * An overage policy as properties write it: {@code refuse}, {@code take-available} or
   * {@code allow-debt:500}, or the library's own text form ({@code takeAvailable}, {@code allowDebt(500)}).
   */
  private static OveragePolicy overage(String property, String text) {
    String t = text.trim();
    String form = t.toLowerCase(Locale.ROOT).replace('_', '-');
    if (form.equals("refuse")) {
      return OveragePolicy.refuse();
    }
    if (form.equals("take-available")) {
      return OveragePolicy.takeAvailable();
    }
    if (form.startsWith("allow-debt:")) {
      String bound = form.substring("allow-debt:".length()).trim();
      try {
        long maxDebt = Long.parseLong(bound);
        return checked(property, () -> OveragePolicy.allowDebt(maxDebt));
      } catch (NumberFormatException e) {
        throw new CreditsConfigurationException(property, "allow-debt needs the most an account may owe, in"
            + " credits (allow-debt:500), was '" + text + "'", e);
      }
    }
    try {
      return OveragePolicy.parse(t);
    } catch (CreditsException e) {
      throw new CreditsConfigurationException(property, "an overage policy is refuse, take-available or"
          + " allow-debt:<the most an account may owe>, was '" + text + "'", e);
    }
  }

  private static Ratio ratio(String property, String text) {
    String[] parts = text.trim().split("/", -1);
    try {
      long numerator = Long.parseLong(parts[0].trim());
      long denominator = parts.length == 1 ? 1 : Long.parseLong(parts[1].trim());
      if (parts.length > 2) {
        throw new NumberFormatException(text);
      }
      return checked(property, () -> Ratio.of(numerator, denominator));
    } catch (NumberFormatException e) {
      throw new CreditsConfigurationException(property, "a ratio is written numerator/denominator (3/2) or a whole"
          + " number, was '" + text + "'", e);
    }
  }

  private static long nz(@Nullable Long value) {
    return value == null ? 0 : value;
  }

  private static <T> T checked(String property, Supplier<T> build) {
    try {
      return build.get();
    } catch (CreditsException | IllegalArgumentException | NullPointerException e) {
      throw new CreditsConfigurationException(property, String.valueOf(e.getMessage()), e);
    }
  }
}
