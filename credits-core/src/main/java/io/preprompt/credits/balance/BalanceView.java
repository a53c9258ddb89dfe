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
 */
public record BalanceView(AccountId account, long available, long held, long upcoming, long freeCredits,
    long packCredits, long allowanceCredits, int activeHolds, List<Lot> lots, Instant asOf, long version) {
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
   */
  public BalanceView {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(asOf, "asOf");
    lots = List.copyOf(lots);
  }
}
