package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A tier of the catalog. Built with {@link #free} or {@link #paid}, then {@link #withRolloverCap},
 * {@link #withoutPacks} and {@link #withOverage}, so that no call site passes a row of booleans and bare numbers.
 *
 * <p>Immutable; equal when every setting is.
 */
public final class Tier {
  private final String id;
  private final String name;
  private final boolean paid;
  private final long monthlyAllowance;
  private final long rolloverCap;
  private final Entitlements entitlements;
  private final boolean packsAllowed;
  private final @Nullable OveragePolicy overage;

  private Tier(@Nullable String id, @Nullable String name, boolean paid, long monthlyAllowance, long rolloverCap,
      @Nullable Entitlements entitlements, boolean packsAllowed, @Nullable OveragePolicy overage) {
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
    this.id = id;
    this.name = name;
    this.paid = paid;
    this.monthlyAllowance = monthlyAllowance;
    this.rolloverCap = rolloverCap;
    this.entitlements = entitlements;
    this.packsAllowed = packsAllowed;
    this.overage = overage;
  }

  /**
   * Returns the free tier: no allowance, no rollover, no packs.
   *
   * @param id stable id
   * @param name display name
   * @param entitlements what it allows
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a malformed id or
   *     name, or no entitlements
   */
  public static Tier free(String id, String name, Entitlements entitlements) {
    return new Tier(id, name, false, 0, 0, entitlements, false, null);
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
   *     name, a negative allowance or no entitlements
   */
  public static Tier paid(String id, String name, long monthlyAllowance, Entitlements entitlements) {
    return new Tier(id, name, true, monthlyAllowance, 0, entitlements, true, null);
  }

  /**
   * Returns this paid tier letting up to {@code cap} unused allowance credits roll into the next cycle.
   *
   * @param cap the most credits that roll over
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a negative cap or the free tier
   */
  public Tier withRolloverCap(long cap) {
    return new Tier(id, name, paid, monthlyAllowance, cap, entitlements, packsAllowed, overage);
  }

  /**
   * Returns this tier with pack purchases not allowed.
   *
   * @return the tier
   */
  public Tier withoutPacks() {
    return new Tier(id, name, paid, monthlyAllowance, rolloverCap, entitlements, false, overage);
  }

  /**
   * Returns this tier with an overage policy for its accounts: what a settle above its hold does,
   * unless an account has a policy of its own ({@code CreditService#setOveragePolicy}).
   *
   * @param policy the policy
   * @return the tier
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public Tier withOverage(OveragePolicy policy) {
    if (policy == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "tier " + id + " needs an overage policy");
    }
    return new Tier(id, name, paid, monthlyAllowance, rolloverCap, entitlements, packsAllowed, policy);
  }

  /**
   * Returns the tier's overage policy.
   *
   * @return the policy, empty when the tier names none (the configured default applies)
   */
  public Optional<OveragePolicy> overage() {
    return Optional.ofNullable(overage);
  }

  /**
   * Returns the stable id.
   *
   * @return the id ({@code free}, {@code studio}, ...)
   */
  public String id() {
    return id;
  }

  /**
   * Returns the display name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Tells whether it is a paid subscription tier (exactly one tier, the first, is free).
   *
   * @return {@code true} for a paid tier
   */
  public boolean paid() {
    return paid;
  }

  /**
   * Returns the credits granted at each cycle's refill.
   *
   * @return the allowance, 0 for the free tier
   */
  public long monthlyAllowance() {
    return monthlyAllowance;
  }

  /**
   * Returns how much unused allowance may roll into the next cycle.
   *
   * @return the cap, {@code 0} for none
   */
  public long rolloverCap() {
    return rolloverCap;
  }

  /**
   * Returns what it allows.
   *
   * @return the entitlements
   */
  public Entitlements entitlements() {
    return entitlements;
  }

  /**
   * Tells whether subscribers of this tier may buy packs.
   *
   * @return {@code true} when they may
   */
  public boolean packsAllowed() {
    return packsAllowed;
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
   * Compares by value: every setting.
   *
   * @param o the other object
   * @return true when it is a tier with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Tier t && id.equals(t.id) && name.equals(t.name) && paid == t.paid
        && monthlyAllowance == t.monthlyAllowance && rolloverCap == t.rolloverCap
        && entitlements.equals(t.entitlements) && packsAllowed == t.packsAllowed && Objects.equals(overage, t.overage);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, name, paid, monthlyAllowance, rolloverCap, entitlements, packsAllowed, overage);
  }

  @Override
  public String toString() {
    return "Tier[id=" + id + ", name=" + name + ", paid=" + paid + ", monthlyAllowance=" + monthlyAllowance
        + ", rolloverCap=" + rolloverCap + ", entitlements=" + entitlements + ", packsAllowed=" + packsAllowed
        + (overage == null ? "" : ", overage=" + overage) + "]";
  }
}
