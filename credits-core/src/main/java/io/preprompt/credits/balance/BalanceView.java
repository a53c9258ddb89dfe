package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An account's balance at one instant, with lazy expiry applied (holds past their deadline count
 * as returned, lots past their expiry as expired).
 *
 * @param account the account
 * @param available credits that can be held now: the started lots' remaining credits less the debt,
 *     negative while the account owes more than it has (never below its overage policy's floor when
 *     the debt was incurred)
 * @param held credits reserved by active holds
 * @param upcoming credits of grants whose start is still to come: not available until it passes
 * @param freeCredits available credits from free sources (signup grant, promotions, adjustments)
 * @param packCredits available credits from packs
 * @param allowanceCredits available credits from the monthly allowance and prorations
 * @param activeHolds number of active holds
 * @param lots lots with credits available, reserved or upcoming (a lot whose
 *     {@link Lot#grantedAt()} is after {@code asOf} has not started), in drawdown order
 * @param asOf the instant the view describes
 * @param version the account's stored version the view was computed from
 * @param debt credits the account owes (a settle above its hold under an allow-debt overage policy);
 *     the next credits it receives pay it first
 */
public record BalanceView(AccountId account, long available, long held, long upcoming, long freeCredits,
    long packCredits, long allowanceCredits, int activeHolds, List<Lot> lots, Instant asOf, long version, long debt) {
  /**
   * Checks non-null fields and copies the lots.
   *
   * @param account the account
   * @param available credits that can be held now
   * @param held credits reserved by active holds
   * @param upcoming credits of grants whose start is still to come: not available until it passes
   * @param freeCredits available credits from free sources (signup grant, promotions, adjustments)
   * @param packCredits available credits from packs
   * @param allowanceCredits available credits from the monthly allowance and prorations
   * @param activeHolds number of active holds
   * @param lots lots with credits available, reserved or upcoming (a lot whose
   *     {@link Lot#grantedAt()} is after {@code asOf} has not started), in drawdown order
   * @param asOf the instant the view describes
   * @param version the account's stored version the view was computed from
   * @param debt credits the account owes, {@code >= 0}
   */
  public BalanceView {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(asOf, "asOf");
    if (debt < 0) {
      throw new IllegalArgumentException("debt must not be negative, was " + debt);
    }
    lots = List.copyOf(lots);
  }

  /**
   * A view of an account without debt.
   *
   * @param account the account
   * @param available credits that can be held now
   * @param held credits reserved by active holds
   * @param upcoming credits of grants whose start is still to come
   * @param freeCredits available credits from free sources
   * @param packCredits available credits from packs
   * @param allowanceCredits available credits from the monthly allowance and prorations
   * @param activeHolds number of active holds
   * @param lots lots with credits available, reserved or upcoming, in drawdown order
   * @param asOf the instant the view describes
   * @param version the account's stored version the view was computed from
   */
  public BalanceView(AccountId account, long available, long held, long upcoming, long freeCredits,
      long packCredits, long allowanceCredits, int activeHolds, List<Lot> lots, Instant asOf, long version) {
    this(account, available, held, upcoming, freeCredits, packCredits, allowanceCredits, activeHolds, lots, asOf,
        version, 0);
  }
}
