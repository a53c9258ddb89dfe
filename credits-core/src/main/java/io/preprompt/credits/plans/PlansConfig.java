package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.ZoneId;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Plan settings. Start from {@link #defaults()} and change one named setting at a time; each
 * {@code with...} method checks its value at once.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class PlansConfig {
  private final long signupGrant;
  private final UpgradePolicy upgradePolicy;
  private final ZoneId zone;
  private final int renewalBatchSize;

  private PlansConfig(long signupGrant, @Nullable UpgradePolicy upgradePolicy, @Nullable ZoneId zone,
      int renewalBatchSize) {
    if (upgradePolicy == null || zone == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "upgradePolicy and zone are required");
    }
    if (signupGrant < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "signupGrant must not be negative, was " + signupGrant);
    }
    if (renewalBatchSize < 1) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "renewalBatchSize must be positive");
    }
    this.signupGrant = signupGrant;
    this.upgradePolicy = upgradePolicy;
    this.zone = zone;
    this.renewalBatchSize = renewalBatchSize;
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
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public PlansConfig withUpgradePolicy(UpgradePolicy policy) {
    return new PlansConfig(signupGrant, policy, zone, renewalBatchSize);
  }

  /**
   * Returns a copy with another signup grant.
   *
   * @param credits the grant, not negative (0 grants nothing)
   * @return the new config
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when negative
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

  /**
   * Returns the credits granted once per account when its email is verified.
   *
   * @return the grant, not negative
   */
  public long signupGrant() {
    return signupGrant;
  }

  /**
   * Returns when upgrades take effect.
   *
   * @return the policy
   */
  public UpgradePolicy upgradePolicy() {
    return upgradePolicy;
  }

  /**
   * Returns the time zone billing cycles are computed in (calendar months from the anchor).
   *
   * @return the zone
   */
  public ZoneId zone() {
    return zone;
  }

  /**
   * Returns how many accounts one {@link PlanService#renewDue()} handles at most.
   *
   * @return the batch size, at least 1
   */
  public int renewalBatchSize() {
    return renewalBatchSize;
  }

  /**
   * Compares by value: every setting.
   *
   * @param o the other object
   * @return true when it is a config with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PlansConfig p && signupGrant == p.signupGrant && upgradePolicy == p.upgradePolicy
        && zone.equals(p.zone) && renewalBatchSize == p.renewalBatchSize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(signupGrant, upgradePolicy, zone, renewalBatchSize);
  }

  @Override
  public String toString() {
    return "PlansConfig[signupGrant=" + signupGrant + ", upgradePolicy=" + upgradePolicy + ", zone=" + zone
        + ", renewalBatchSize=" + renewalBatchSize + "]";
  }
}
