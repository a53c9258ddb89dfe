package io.preprompt.credits.core;

import java.util.Objects;

/**
 * What a settle above its hold does with the difference: the credits the generation cost beyond
 * what was held. Whatever the policy, the difference is drawn first from the account's available
 * credits, in the drawdown order; the policy decides what happens when they do not cover it.
 *
 * <ul>
 *   <li>{@link #refuse()}, the default: the balance never goes below zero and nothing is left
 *       uncollected: when the available credits do not cover the whole difference, the settle is
 *       refused with an {@link InsufficientCreditsException} naming the shortfall (through the gate,
 *       with the upgrade offer too) and nothing changes; the hold stays active, so the app can settle
 *       what was held, release it, or extend it once the user has topped up.
 *   <li>{@link #takeAvailable()}: the difference is charged from what is available; what is not there
 *       stays uncollected and the settlement reports it. The balance never goes below zero.
 *   <li>{@link #allowDebt(long)}: as take-available, then the balance may go negative down to
 *       {@code -maxDebt} (the floor): the account owes that much as debt, which the next credits it
 *       receives pay first. What the floor does not allow stays uncollected.
 * </ul>
 *
 * <p>An account's policy is its own when one was set ({@code CreditService#setOveragePolicy}), else
 * its tier's ({@code Tier#withOverage}), else the one in {@link CreditsConfig}. Lowering a bound
 * never calls debt already owed: it only limits new debt.
 *
 * @param mode what happens to a difference the available credits do not cover
 * @param maxDebt the most credits the account may owe, 0 unless {@link Mode#ALLOW_DEBT}
 */
public record OveragePolicy(Mode mode, long maxDebt) {

  /** The largest debt bound: a trillion credits, so that no sum of balances and debts overflows. */
  public static final long MAX_DEBT = 1_000_000_000_000L;

  private static final OveragePolicy REFUSE = new OveragePolicy(Mode.REFUSE, 0);
  private static final OveragePolicy TAKE_AVAILABLE = new OveragePolicy(Mode.TAKE_AVAILABLE, 0);

  /** The three forms of the policy. */
  public enum Mode {
    /** A difference the available credits do not cover is refused, and nothing changes. */
    REFUSE,
    /** The difference is charged from what is available; the rest stays uncollected. */
    TAKE_AVAILABLE,
    /** The difference is charged from what is available, then as debt down to the floor. */
    ALLOW_DEBT
  }

  /**
   * Checks the policy.
   *
   * @param mode what happens to a difference the available credits do not cover
   * @param maxDebt the most credits the account may owe, 0 unless {@link Mode#ALLOW_DEBT}
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a null mode, a bound
   *     outside {@code 0..}{@link #MAX_DEBT}, or a bound with another mode
   */
  public OveragePolicy {
    if (mode == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "an overage policy needs a mode");
    }
    if (maxDebt < 0 || maxDebt > MAX_DEBT) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "the most an account may owe must be 0.." + MAX_DEBT + ", was " + maxDebt);
    }
    if (mode != Mode.ALLOW_DEBT && maxDebt != 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "only an allow-debt policy has a debt bound, " + mode + " had " + maxDebt);
    }
  }

  /**
   * Returns the default policy: a settle above its hold is refused.
   *
   * @return the refuse policy
   */
  public static OveragePolicy refuse() {
    return REFUSE;
  }

  /**
   * Returns the policy that charges what is available and leaves the rest uncollected.
   *
   * @return the take-available policy
   */
  public static OveragePolicy takeAvailable() {
    return TAKE_AVAILABLE;
  }

  /**
   * Returns the policy that lets the balance go negative down to {@code -maxDebt}.
   *
   * @param maxDebt the most credits the account may owe, {@code 0..}{@link #MAX_DEBT}
   * @return the allow-debt policy
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a bound out of range
   */
  public static OveragePolicy allowDebt(long maxDebt) {
    return new OveragePolicy(Mode.ALLOW_DEBT, maxDebt);
  }

  /**
   * Returns the lowest the available balance may go under this policy.
   *
   * @return {@code -maxDebt}, 0 unless debt is allowed
   */
  public long floor() {
    return -maxDebt;
  }

  /**
   * Returns a short text form, {@code refuse}, {@code takeAvailable} or {@code allowDebt(n)}, which
   * {@link #parse} reads back.
   *
   * @return the text form
   */
  @Override
  public String toString() {
    switch (mode) {
      case REFUSE:
        return "refuse";
      case TAKE_AVAILABLE:
        return "takeAvailable";
      default:
        return "allowDebt(" + maxDebt + ")";
    }
  }

  /**
   * Reads the text form {@link #toString()} writes.
   *
   * @param text the text form
   * @return the policy
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} when it is not one
   */
  public static OveragePolicy parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.equals("refuse")) {
      return REFUSE;
    }
    if (text.equals("takeAvailable")) {
      return TAKE_AVAILABLE;
    }
    if (text.startsWith("allowDebt(") && text.endsWith(")")) {
      try {
        return allowDebt(Long.parseLong(text.substring("allowDebt(".length(), text.length() - 1)));
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "not an overage policy: " + text);
  }
}
