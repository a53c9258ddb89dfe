package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import java.util.List;
import java.util.Objects;

/**
 * What {@link CreditStore#load} returns: the account row, its live lots and its active holds.
 *
 * <p>A lot is live while it has credits remaining or reserved ({@code remaining > 0 || reserved > 0});
 * a hold is active while its state is {@code ACTIVE}. Ended lots and holds are not loaded, so the
 * cost of an operation does not grow with the account's history.
 *
 * @param account the account row
 * @param lots the live lots, any order
 * @param activeHolds the active holds, any order
 */
public record AccountSnapshot(AccountRecord account, List<Lot> lots, List<Hold> activeHolds) {
  /**
   * Checks and copies.
   *
   * @param account the account row
   * @param lots the live lots, any order
   * @param activeHolds the active holds, any order
   */
  public AccountSnapshot {
    Objects.requireNonNull(account, "account");
    lots = List.copyOf(lots);
    activeHolds = List.copyOf(activeHolds);
  }
}
