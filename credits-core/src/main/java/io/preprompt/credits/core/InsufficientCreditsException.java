package io.preprompt.credits.core;

import io.preprompt.credits.Credits;

/**
 * The account's available credits do not cover a hold, an extension, a debit, or the part of a
 * settle above its hold that the overage policy would draw from them. Nothing changed. The gate
 * throws a subclass that also carries the upgrade offer
 * ({@code io.preprompt.credits.gate.OverageRefusedException}).
 */
public class InsufficientCreditsException extends StateException {
  private static final long serialVersionUID = 1L;

  /** Credits available when the hold was asked for. */
  private final long available;
  /** Credits asked for. */
  private final long requested;

  /**
   * Creates the exception.
   *
   * @param account the account
   * @param available credits available at the time of the request
   * @param requested credits requested
   */
  public InsufficientCreditsException(AccountId account, long available, long requested) {
    super(ErrorCode.INSUFFICIENT_CREDITS,
        "account " + account.value() + " has " + available + " available credits, " + requested + " requested");
    this.available = available;
    this.requested = requested;
  }

  /**
   * Returns the available credits when the request was refused.
   *
   * @return available credits
   */
  public long available() {
    return available;
  }

  /**
   * Returns the requested credits.
   *
   * @return requested credits
   */
  public long requested() {
    return requested;
  }

  /**
   * Returns how many credits are missing.
   *
   * @return {@code requested - available}
   */
  public long shortfall() {
    return requested - available;
  }
}
