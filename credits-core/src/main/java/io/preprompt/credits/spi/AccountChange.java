package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
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
 * @param expectedVersion the version the change was computed from (0 for a new account)
 * @param account the new account row (its version is {@code expectedVersion + 1})
 * @param newLots lots to insert
 * @param changedLots existing lots in their new state: remaining, reserved and expiry (core moves a
 *     lot's expiry to now when a refill replaces the allowance)
 * @param newHolds holds to insert, all {@code ACTIVE}
 * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
 * @param entries ledger entries to append, in sequence order, continuing the stored sequence
 * @param idempotency the record of the call, or {@code null} for automatic changes
 */
public record AccountChange(long expectedVersion, AccountRecord account, List<Lot> newLots, List<Lot> changedLots,
    List<Hold> newHolds, List<Hold> endedHolds, List<LedgerEntry> entries, @Nullable IdempotencyRecord idempotency) {
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
  }
}
