package io.preprompt.credits.ledger;

/**
 * What a ledger entry did to its lot. Each entry moves {@code amount} credits of one lot between
 * the buckets {@code remaining} (available), {@code reserved} (held) and the account's sinks
 * (settled, expired, debited), except {@link #EXPIRY_CHANGED}, which moves none, and the debt
 * entries, which move credits between the account's debt and its sinks or lots; replaying entries
 * in sequence order rebuilds every lot's amounts and the debt. Conservation:
 * {@code granted = (remaining - debt) + reserved + settled + expired + debited}.
 */
public enum EntryType {
  /** A lot was created: {@code remaining += amount}. */
  GRANT,
  /** A hold reserved credits: {@code remaining -= amount; reserved += amount}. */
  HOLD,
  /** A hold spent reserved credits: {@code reserved -= amount; settled += amount}. */
  SETTLE,
  /** A hold returned reserved credits (release or the unsettled rest): {@code reserved -= amount; remaining += amount}. */
  RELEASE,
  /** A hold passed its deadline and returned its credits: {@code reserved -= amount; remaining += amount}. */
  HOLD_EXPIRED,
  /** A lot's available credits expired: {@code remaining -= amount; expired += amount}. */
  LOT_EXPIRED,
  /**
   * Credits removed by a support adjustment, a refund or a voided grant (metadata {@code void=true}):
   * {@code remaining -= amount; debited += amount}.
   */
  DEBIT,
  /**
   * A lot's expiry was changed: no credits move; {@code amount} is what the lot still carried
   * (remaining plus reserved), and the metadata names the previous and the new expiry and the reason.
   * A ledger entry always moves a positive amount of one lot, so this is how a change that moves
   * nothing is recorded against its lot.
   */
  EXPIRY_CHANGED,
  /**
   * A settle above its hold charged the difference from a lot's available credits (the entry names
   * the hold): {@code remaining -= amount; settled += amount}.
   */
  OVERAGE,
  /**
   * A settle above its hold charged credits the account did not have, as debt, under an allow-debt
   * overage policy: {@code debt += amount; settled += amount}. The lot is the hold's first; its
   * amounts do not change.
   */
  DEBT_INCURRED,
  /** Credits that reached a lot paid debt off: {@code remaining -= amount; debt -= amount}. */
  DEBT_REPAID;

  /**
   * Tells whether entries of this type move credits out of {@code reserved}.
   *
   * @return true for settle, release and hold expiry
   */
  public boolean endsReservation() {
    return this == SETTLE || this == RELEASE || this == HOLD_EXPIRED;
  }

  /**
   * Tells whether entries of this type charge a generation: what they move is spent.
   *
   * @return true for settle, overage and debt incurred
   */
  public boolean charges() {
    return this == SETTLE || this == OVERAGE || this == DEBT_INCURRED;
  }
}
