package io.preprompt.credits.balance;

/**
 * Where a lot of credits came from. The source decides the drawdown tie-break: among lots expiring
 * at the same time, free credits are spent before paid ones, and the allowance (replaced at the next
 * refill) before packs (which never expire).
 */
public enum LotSource {
  /** The one-time grant for verifying an email. Free; never expires. */
  SIGNUP_GRANT(false, 0),
  /** A paid tier's allowance for one billing cycle. Paid; replaced (expired) by the next refill. */
  MONTHLY_ALLOWANCE(true, 1),
  /** The pro-rated part of an upgrade's allowance difference. Paid; replaced with the allowance. */
  PRORATION(true, 1),
  /** A purchased credit pack. Paid; never expires. */
  PACK(true, 2),
  /** A promotional grant. Free. */
  PROMOTION(false, 0),
  /** A support adjustment. Free. */
  ADJUSTMENT(false, 0);

  private final boolean paid;
  private final int drawdownRank;

  LotSource(boolean paid, int drawdownRank) {
    this.paid = paid;
    this.drawdownRank = drawdownRank;
  }

  /**
   * Returns the tie-break rank among lots that expire at the same time: free credits (0) first,
   * then the allowance and prorations (1), which the next refill replaces, then packs (2), which
   * never expire.
   *
   * @return the rank, lower spent first
   */
  public int drawdownRank() {
    return drawdownRank;
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
