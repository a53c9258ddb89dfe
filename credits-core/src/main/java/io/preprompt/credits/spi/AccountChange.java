package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.ledger.LedgerEntry;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything one operation changes on one account, to be committed atomically by
 * {@link CreditStore#commit}.
 *
 * <p>The commit succeeds only if the stored version still equals {@link #expectedVersion()} (0 means
 * the account must not exist yet). It then writes, all or nothing: the new account row, inserts
 * {@link #newLots()}, updates {@link #changedLots()} (by lot id), inserts {@link #newHolds()}, updates
 * {@link #endedHolds()} (by hold id, only where the stored state is still {@code ACTIVE}), appends
 * {@link #entries()} and inserts the {@link #idempotency()} record when present.
 *
 * <p>Besides what changed, a change carries the account's complete live state after it:
 * {@link #lots()} and {@link #activeHolds()}, exactly what {@link CreditStore#load} must return once
 * the change is committed ({@link #after()}). A store may keep an account as one document (its row,
 * live lots and active holds together) and write that state as it is, without reading the stored one
 * first; the version guard makes the two equivalent.
 *
 * @param expectedVersion the version the change was computed from (0 for a new account)
 * @param account the new account row (its version is {@code expectedVersion + 1})
 * @param newLots lots to insert
 * @param changedLots existing lots in their new state: remaining, reserved and expiry (core moves a
 *     lot's expiry to now when a refill replaces the allowance)
 * @param newHolds holds to insert, all {@code ACTIVE}
 * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
 * @param entries ledger entries to append, in sequence order, continuing the stored sequence
 * @param idempotency the record of the call, or {@code null} for automatic changes
 * @param lots every live lot after the change ({@code remaining > 0 || reserved > 0}), any order
 * @param activeHolds every active hold after the change, any order
 */
public record AccountChange(long expectedVersion, AccountRecord account, List<Lot> newLots, List<Lot> changedLots,
    List<Hold> newHolds, List<Hold> endedHolds, List<LedgerEntry> entries, @Nullable IdempotencyRecord idempotency,
    List<Lot> lots, List<Hold> activeHolds) {
  /**
   * Checks and copies; the new version must follow the expected one.
   *
   * @param expectedVersion the version the change was computed from (0 for a new account)
   * @param account the new account row (its version is {@code expectedVersion + 1})
   * @param newLots lots to insert
   * @param changedLots existing lots in their new state: remaining, reserved and expiry (core moves a
   *     lot's expiry to now when a refill replaces the allowance)
   * @param newHolds holds to insert, all {@code ACTIVE}
   * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
   * @param entries ledger entries to append, in sequence order, continuing the stored sequence
   * @param idempotency the record of the call, or {@code null} for automatic changes
   * @param lots every live lot after the change ({@code remaining > 0 || reserved > 0}), any order
   * @param activeHolds every active hold after the change, any order
   */
  public AccountChange {
    Objects.requireNonNull(account, "account");
    if (account.version() != expectedVersion + 1) {
      throw new IllegalArgumentException(
          "new version " + account.version() + " does not follow expected version " + expectedVersion);
    }
    newLots = List.copyOf(newLots);
    changedLots = List.copyOf(changedLots);
    newHolds = List.copyOf(newHolds);
    endedHolds = List.copyOf(endedHolds);
    entries = List.copyOf(entries);
    lots = List.copyOf(lots);
    activeHolds = List.copyOf(activeHolds);
    for (int i = 0; i < lots.size(); i++) {
      Lot lot = lots.get(i);
      if (lot.remaining() == 0 && lot.reserved() == 0) {
        throw new IllegalArgumentException("lot " + lot.id() + " is not live: the live lots list only live lots");
      }
    }
    for (int i = 0; i < activeHolds.size(); i++) {
      if (activeHolds.get(i).state() != HoldState.ACTIVE) {
        throw new IllegalArgumentException("hold " + activeHolds.get(i).id() + " is not active");
      }
    }
  }

  /**
   * Returns the account as {@link CreditStore#load} must return it once this change is committed.
   *
   * @return the row, live lots and active holds after the change
   */
  public AccountSnapshot after() {
    return new AccountSnapshot(account, lots, activeHolds);
  }
}
