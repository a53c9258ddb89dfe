package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.ledger.LedgerEntry;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one call writes on one account, to be committed atomically by {@link CreditStore#commit}:
 * only what the call touched, never the whole account.
 *
 * <p>The commit succeeds only if the stored version still equals {@link #expectedVersion()} (0 means
 * the account must not exist yet). It then writes, all or nothing: the new account row (replacing
 * the stored one; its plan may be left as stored when {@link #planChanged()} is false), inserts {@link #newLots()}, replaces {@link #changedLots()} (by lot id), inserts
 * {@link #newHolds()}, replaces {@link #endedHolds()} (by hold id, only where the stored state is
 * still {@code ACTIVE}), replaces {@link #changedHolds()} (by hold id, only where the stored state is
 * still {@code ACTIVE}), appends {@link #entries()} and inserts the {@link #idempotency()} record
 * when there is one.
 *
 * <p>A changed lot may have nothing left ({@code remaining == 0 && reserved == 0}): it is then no
 * longer live, and {@link CreditStore#load} stops returning it (the store may keep it or drop it).
 *
 * @param expectedVersion the version the change was computed from (0 for a new account)
 * @param account the new account row (its version is {@code expectedVersion + 1})
 * @param newLots lots to insert
 * @param changedLots existing lots in their new state: only remaining, reserved and expiry differ from
 *     the stored lot (core moves a lot's expiry to now when a refill replaces the allowance), so a
 *     store may write just those three
 * @param newHolds holds to insert, all {@code ACTIVE}
 * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state: only the state,
 *     the settled amount and the end time differ from the stored hold (the rest is fixed when a hold
 *     is placed, so a store may write just those three)
 * @param changedHolds holds that were {@code ACTIVE} and still are, grown by an extension: only the
 *     amount, the allocations and the deadline differ from the stored hold (a store may write just
 *     those three)
 * @param entries ledger entries to append, in sequence order, continuing the stored sequence
 * @param idempotency the record of the call, or {@code null} for automatic changes
 * @param planChanged false only when the account's plan ({@link AccountRecord#plan()}) equals the
 *     stored one, so a store may leave it as stored; true for a new account. The rest of the row,
 *     {@link AccountRecord#debt()} and {@link AccountRecord#overage()} included, is always written.
 */
public record AccountChange(long expectedVersion, AccountRecord account, List<Lot> newLots, List<Lot> changedLots,
    List<Hold> newHolds, List<Hold> endedHolds, List<Hold> changedHolds, List<LedgerEntry> entries,
    @Nullable IdempotencyRecord idempotency, boolean planChanged) {
  /**
   * Checks and copies; the new version must follow the expected one, new and changed holds must be
   * active and ended holds must not.
   *
   * @param expectedVersion the version the change was computed from (0 for a new account)
   * @param account the new account row (its version is {@code expectedVersion + 1})
   * @param newLots lots to insert
   * @param changedLots existing lots in their new state
   * @param newHolds holds to insert, all {@code ACTIVE}
   * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
   * @param changedHolds holds that were {@code ACTIVE} and still are, grown by an extension
   * @param entries ledger entries to append, in sequence order, continuing the stored sequence
   * @param idempotency the record of the call, or {@code null} for automatic changes
   * @param planChanged false only when the plan equals the stored one; true for a new account
   */
  public AccountChange {
    Objects.requireNonNull(account, "account");
    if (account.version() != expectedVersion + 1) {
      throw new IllegalArgumentException(
          "new version " + account.version() + " does not follow expected version " + expectedVersion);
    }
    if (expectedVersion == 0 && !planChanged) {
      throw new IllegalArgumentException("a new account has no stored plan to keep");
    }
    newLots = List.copyOf(newLots);
    changedLots = List.copyOf(changedLots);
    newHolds = List.copyOf(newHolds);
    endedHolds = List.copyOf(endedHolds);
    changedHolds = List.copyOf(changedHolds);
    entries = List.copyOf(entries);
    for (Hold h : newHolds) {
      if (h.state() != HoldState.ACTIVE) {
        throw new IllegalArgumentException("new hold " + h.id() + " is not active");
      }
    }
    for (Hold h : endedHolds) {
      if (h.state() == HoldState.ACTIVE) {
        throw new IllegalArgumentException("ended hold " + h.id() + " is still active");
      }
    }
    for (Hold h : changedHolds) {
      if (h.state() != HoldState.ACTIVE) {
        throw new IllegalArgumentException("changed hold " + h.id() + " is not active");
      }
    }
  }

  /**
   * A change that grows no hold ({@link #changedHolds()} is empty).
   *
   * @param expectedVersion the version the change was computed from (0 for a new account)
   * @param account the new account row (its version is {@code expectedVersion + 1})
   * @param newLots lots to insert
   * @param changedLots existing lots in their new state
   * @param newHolds holds to insert, all {@code ACTIVE}
   * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
   * @param entries ledger entries to append, in sequence order, continuing the stored sequence
   * @param idempotency the record of the call, or {@code null} for automatic changes
   * @param planChanged false only when the plan equals the stored one; true for a new account
   */
  public AccountChange(long expectedVersion, AccountRecord account, List<Lot> newLots, List<Lot> changedLots,
      List<Hold> newHolds, List<Hold> endedHolds, List<LedgerEntry> entries, @Nullable IdempotencyRecord idempotency,
      boolean planChanged) {
    this(expectedVersion, account, newLots, changedLots, newHolds, endedHolds, List.of(), entries, idempotency,
        planChanged);
  }
  /**
   * Tells whether a change's plan differs from the stored one: the value of {@link #planChanged()}
   * for a change computed from {@code stored}.
   *
   * @param stored the account row the change was computed from, or {@code null} for a new account
   * @param plan the change's plan
   * @return true for a new account, or when the plans differ
   */
  public static boolean planChanged(@Nullable AccountRecord stored, @Nullable PlanRecord plan) {
    return stored == null || !Objects.equals(stored.plan(), plan);
  }

  /**
   * A change that may touch the plan: {@link #planChanged()} is true, so a store writes the whole
   * account row.
   *
   * @param expectedVersion the version the change was computed from (0 for a new account)
   * @param account the new account row (its version is {@code expectedVersion + 1})
   * @param newLots lots to insert
   * @param changedLots existing lots in their new state
   * @param newHolds holds to insert, all {@code ACTIVE}
   * @param endedHolds holds that were {@code ACTIVE} and now carry their terminal state
   * @param entries ledger entries to append, in sequence order, continuing the stored sequence
   * @param idempotency the record of the call, or {@code null} for automatic changes
   */
  public AccountChange(long expectedVersion, AccountRecord account, List<Lot> newLots, List<Lot> changedLots,
      List<Hold> newHolds, List<Hold> endedHolds, List<LedgerEntry> entries, @Nullable IdempotencyRecord idempotency) {
    this(expectedVersion, account, newLots, changedLots, newHolds, endedHolds, List.of(), entries, idempotency, true);
  }
}
