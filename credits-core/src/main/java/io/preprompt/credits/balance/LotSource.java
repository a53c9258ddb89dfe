package io.preprompt.credits.balance;

/**
 * Where a lot of credits came from. The source decides the drawdown tie-break: among lots expiring
 * at the same time, free credits are spent before paid ones.
 */
public enum LotSource {
  /** The one-time grant for verifying an email. Free; never expires. */
  SIGNUP_GRANT(false),
  /** A paid tier's allowance for one billing cycle. Paid; expires at the cycle end. */
  MONTHLY_ALLOWANCE(true),
  /** The pro-rated part of an upgrade's allowance difference. Paid; expires with the allowance. */
  PRORATION(true),
  /** A purchased credit pack. Paid; never expires. */
  PACK(true),
  /** A promotional grant. Free. */
  PROMOTION(false),
  /** A support adjustment. Free. */
  ADJUSTMENT(false);

  private final boolean paid;

  LotSource(boolean paid) {
    this.paid = paid;
  }

  /**
   * Tells whether the credits were paid for.
   *
   * @return {@code true} for allowance, proration and packs
   */
  public boolean isPaid() {
    return paid;
  }
}
