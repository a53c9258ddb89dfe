package io.preprompt.credits.gate;

import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.Tier;
import java.util.List;

/**
 * What the upgrade modal offers when a generation is blocked.
 *
 * @param tiers each paid tier with whether its monthly allowance would cover the shortfall
 * @param packs each pack with whether it covers the shortfall; empty when the account may not buy packs
 */
public record UpgradeOffer(List<TierOption> tiers, List<PackOption> packs) {
  /**
   * Copies.
   *
   * @param tiers each paid tier with whether its monthly allowance would cover the shortfall
   * @param packs each pack with whether it covers the shortfall; empty when the account may not buy packs
   */
  public UpgradeOffer {
    tiers = List.copyOf(tiers);
    packs = List.copyOf(packs);
  }

  /**
   * A paid tier on offer.
   *
   * @param tier the tier
   * @param monthlyAllowance its allowance
   * @param coversShortfall whether its allowance covers the shortfall
   * @param current whether the account is on it already
   */
  public record TierOption(Tier tier, long monthlyAllowance, boolean coversShortfall, boolean current) {}

  /**
   * A pack on offer.
   *
   * @param pack the pack
   * @param coversShortfall whether it covers the shortfall
   */
  public record PackOption(Pack pack, boolean coversShortfall) {}
}
