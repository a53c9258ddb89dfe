package io.preprompt.credits.plans;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.time.ZoneId;

/**
 * Plan settings.
 *
 * @param signupGrant credits granted once per account when its email is verified
 * @param upgradePolicy when upgrades take effect
 * @param zone the time zone billing cycles are computed in (calendar months from the anchor)
 * @param renewalBatchSize how many accounts one {@link PlanService#renewDue()} handles at most
 */
public record PlansConfig(long signupGrant, UpgradePolicy upgradePolicy, ZoneId zone, int renewalBatchSize) {
  /**
   * Checks the settings.
   *
   * @param signupGrant credits granted once per account when its email is verified
   * @param upgradePolicy when upgrades take effect
   * @param zone the time zone billing cycles are computed in (calendar months from the anchor)
   * @param renewalBatchSize how many accounts one {@link PlanService#renewDue()} handles at most
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public PlansConfig {
    if (upgradePolicy == null || zone == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "upgradePolicy and zone are required");
    }
    if (signupGrant < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "signupGrant must not be negative, was " + signupGrant);
    }
    if (renewalBatchSize < 1) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "renewalBatchSize must be positive");
    }
  }

  /**
   * Returns the defaults: 200 signup credits, upgrades pro-rated now, cycles in UTC, renewals of 500.
   *
   * @return the defaults
   */
  public static PlansConfig defaults() {
    return new PlansConfig(200, UpgradePolicy.PRORATE_NOW, ZoneId.of("UTC"), 500);
  }

  /**
   * Returns a copy with another upgrade policy.
   *
   * @param policy the policy
   * @return the new config
   */
  public PlansConfig withUpgradePolicy(UpgradePolicy policy) {
    return new PlansConfig(signupGrant, policy, zone, renewalBatchSize);
  }

  /**
   * Returns a copy with another signup grant.
   *
   * @param credits the grant
   * @return the new config
   */
  public PlansConfig withSignupGrant(long credits) {
    return new PlansConfig(credits, upgradePolicy, zone, renewalBatchSize);
  }

  /**
   * Returns a copy whose cycles are computed in another time zone.
   *
   * @param zone the zone
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public PlansConfig withZone(ZoneId zone) {
    return new PlansConfig(signupGrant, upgradePolicy, zone, renewalBatchSize);
  }

  /**
   * Returns a copy whose {@link PlanService#renewDue()} handles at most this many accounts a call.
   *
   * @param accounts the batch size, at least 1
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when not positive
   */
  public PlansConfig withRenewalBatchSize(int accounts) {
    return new PlansConfig(signupGrant, upgradePolicy, zone, accounts);
  }
}
