package io.preprompt.credits.plans;

import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.InvalidRequestException;
import java.util.OptionalLong;

/**
 * A tier of the catalog.
 *
 * @param id stable id ({@code free}, {@code studio}, ...)
 * @param name display name
 * @param paid whether it is a paid subscription tier (exactly one tier, the first, is free)
 * @param monthlyAllowance credits granted at each cycle's refill (0 for the free tier)
 * @param rolloverCap how much unused allowance may roll into the next cycle; {@code 0} for none
 * @param entitlements what it allows
 * @param packsAllowed whether subscribers of this tier may buy packs
 */
public record Tier(String id, String name, boolean paid, long monthlyAllowance, long rolloverCap,
    Entitlements entitlements, boolean packsAllowed) {
  /**
   * Checks the tier.
   *
   * @param id stable id ({@code free}, {@code studio}, ...)
   * @param name display name
   * @param paid whether it is a paid subscription tier (exactly one tier, the first, is free)
   * @param monthlyAllowance credits granted at each cycle's refill (0 for the free tier)
   * @param rolloverCap how much unused allowance may roll into the next cycle; {@code 0} for none
   * @param entitlements what it allows
   * @param packsAllowed whether subscribers of this tier may buy packs
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a blank id or
   *     negative amounts
   */
  public Tier {
    if (entitlements == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "tier " + id + " needs entitlements");
    }
    if (id == null || !id.matches("[a-z][a-z0-9_+-]{0,31}")) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "tier id must match [a-z][a-z0-9_+-]{0,31}, was " + id);
    }
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "tier " + id + " needs a name");
    }
    if (monthlyAllowance < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "tier " + id + " has a negative monthly allowance " + monthlyAllowance);
    }
    if (rolloverCap < 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "tier " + id + " has a negative rollover cap");
    }
    if (!paid && (packsAllowed || rolloverCap > 0)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "the free tier " + id + " cannot allow packs or rollover");
    }
  }

  /**
   * Returns the rollover cap when there is one.
   *
   * @return the cap, empty when unused allowance simply expires
   */
  public OptionalLong rollover() {
    return rolloverCap == 0 ? OptionalLong.empty() : OptionalLong.of(rolloverCap);
  }

  /**
   * Returns the free tier: no allowance, no rollover, no packs.
   *
   * @param id stable id
   * @param name display name
   * @param entitlements what it allows
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a malformed id or name
   */
  public static Tier free(String id, String name, Entitlements entitlements) {
    return new Tier(id, name, false, 0, 0, entitlements, false);
  }

  /**
   * Returns a paid tier whose subscribers may buy packs and whose unused allowance expires at each
   * refill (see {@link #withRolloverCap} and {@link #withoutPacks}).
   *
   * @param id stable id
   * @param name display name
   * @param monthlyAllowance credits granted at each cycle's refill
   * @param entitlements what it allows
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a malformed id or
   *     name or a negative allowance
   */
  public static Tier paid(String id, String name, long monthlyAllowance, Entitlements entitlements) {
    return new Tier(id, name, true, monthlyAllowance, 0, entitlements, true);
  }

  /**
   * Returns this paid tier letting up to {@code cap} unused allowance credits roll into the next cycle.
   *
   * @param cap the most credits that roll over
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a negative cap or the free tier
   */
  public Tier withRolloverCap(long cap) {
    return new Tier(id, name, paid, monthlyAllowance, cap, entitlements, packsAllowed);
  }

  /**
   * Returns this tier with pack purchases not allowed.
   *
   * @return the tier
   */
  public Tier withoutPacks() {
    return new Tier(id, name, paid, monthlyAllowance, rolloverCap, entitlements, false);
  }
}
