package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link CreditStore#load} returns: the account row, its live lots, the holds the read
 * selected ({@link HoldSelection}), and the earliest deadline among its active holds.
 *
 * <p>A lot is live while it has credits remaining or reserved ({@code remaining > 0 || reserved > 0});
 * spent lots are not loaded. Holds are loaded only when selected, so the cost of a call does not grow
 * with the account's history nor with its active holds. The row's counters stand for what is not
 * loaded ({@link AccountRecord#activeHolds()}; the lots' reserved credits are the total held).
 *
 * @param account the account row
 * @param lots the live lots, any order
 * @param holds the selected holds, any order, each once
 * @param earliestHoldDeadline the earliest deadline among all the account's active holds (selected
 *     or not), or {@code null} when it has none
 */
public record AccountSnapshot(AccountRecord account, List<Lot> lots, List<Hold> holds,
    @Nullable Instant earliestHoldDeadline) {
  /**
   * Checks and copies.
   *
   * @param account the account row
   * @param lots the live lots, any order
   * @param holds the selected holds, any order, each once
   * @param earliestHoldDeadline the earliest deadline among all the account's active holds, or
   *     {@code null} when it has none
   */
  public AccountSnapshot {
    Objects.requireNonNull(account, "account");
    lots = List.copyOf(lots);
    holds = List.copyOf(holds);
  }
}
