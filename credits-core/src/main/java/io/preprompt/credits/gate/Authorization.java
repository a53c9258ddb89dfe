package io.preprompt.credits.gate;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.plans.Tier;
import java.util.List;

/**
 * The gate's answer to "may this generation start?". Nothing is held unless {@link Authorized}.
 */
public sealed interface Authorization {

  /**
   * Authorized: the estimated credits are held.
   *
   * @param holds the holds, one per requested item, in request order
   * @param estimates the estimates, in request order
   * @param total the total held
   */
  record Authorized(List<Hold> holds, List<Estimate> estimates, long total) implements Authorization {
    /**
     * Copies.
     *
     * @param holds the holds, one per requested item, in request order
     * @param estimates the estimates, in request order
     * @param total the total held
     */
    public Authorized {
      holds = List.copyOf(holds);
      estimates = List.copyOf(estimates);
    }

    /**
     * Returns the single hold of a one-item authorization.
     *
     * @return the first hold
     */
    public Hold hold() {
      return holds.get(0);
    }
  }

  /**
   * Blocked: the balance does not cover the estimate.
   *
   * @param available available credits
   * @param estimate the estimated cost
   * @param shortfall {@code estimate - available}
   * @param offer the upgrade offer
   * @param estimates the per-item estimates
   */
  record InsufficientCredits(long available, long estimate, long shortfall, UpgradeOffer offer,
      List<Estimate> estimates) implements Authorization {
    /**
     * Copies.
     *
     * @param available available credits
     * @param estimate the estimated cost
     * @param shortfall {@code estimate - available}
     * @param offer the upgrade offer
     * @param estimates the per-item estimates
     */
    public InsufficientCredits {
      estimates = List.copyOf(estimates);
    }
  }

  /**
   * Blocked: the account's tier does not include an option the request uses.
   *
   * @param option the option, e.g. {@code resolution=4k}
   * @param currentTier the account's tier
   * @param lowestTier the lowest tier that allows it
   */
  record NotInTier(String option, Tier currentTier, Tier lowestTier) implements Authorization {}
}
