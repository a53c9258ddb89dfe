package io.preprompt.credits.spi;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The persistence port. A store persists and loads accounts; it decides nothing. Every rule
 * (drawdown, hold states, expiry, idempotency) is applied by core before {@link #commit} is called.
 *
 * <p>Implementations must be thread-safe and may be shared by many service instances, in one
 * process or many. The {@code credits-testkit} module ships the contract suite every implementation
 * must pass ({@code CreditStoreContract}).
 *
 * <p>Failures other than a version conflict are thrown as {@link io.preprompt.credits.StoreException};
 * a failed commit must leave nothing of the change behind.
 */
public interface CreditStore {

  /**
   * Loads an account's row, live lots and active holds.
   *
   * @param account the account
   * @return the snapshot, empty when the account does not exist
   */
  Optional<AccountSnapshot> load(AccountId account);

  /**
   * Finds the record of an earlier call with this key on this account.
   *
   * @param account the account
   * @param key the key
   * @return the record, empty when the key was never committed
   */
  Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key);

  /**
   * What core reads first for every call with an idempotency key: the record of an earlier call
   * with this key, and otherwise the account. The default asks {@link #findIdempotencyRecord}, then
   * {@link #load}; a store whose reads cost a round trip each should answer both at once.
   *
   * @param account the account
   * @param key the call's key
   * @return the earlier call's record, or the account's snapshot (absent when it does not exist)
   */
  default KeyedRead readForCall(AccountId account, IdempotencyKey key) {
    Optional<IdempotencyRecord> record = findIdempotencyRecord(account, key);
    if (record.isPresent()) {
      return new KeyedRead(record.get(), null);
    }
    return new KeyedRead(null, load(account).orElse(null));
  }

  /**
   * Whether core may run a keyed call on the account as this process's own last commit left it,
   * without reading it first. Core then keeps, per account, the state {@link AccountChange#after()}
   * of its last {@link CommitOutcome#COMMITTED} change and commits the next call against it: the
   * version guard refuses the commit when anything else wrote the account meanwhile (another
   * instance, another service over the same store), and core then reads and tries again, so a stale
   * copy costs one refused commit, never a wrong write. An earlier call with the same key shows up
   * the same way, as a refused commit (the key is taken), and is then replayed from its record.
   *
   * <p>Worth it for stores whose reads cost a round trip, and for in-memory stores, where a read
   * still costs a lock, look-ups and a snapshot per call. Say yes only if a commit reported as
   * {@code COMMITTED} can never be undone afterwards (not, for example, inside a host transaction that
   * may still roll back) and a version, once committed, is never committed again with other content.
   * The default is {@code false}: every call reads first.
   *
   * @return true when committed snapshots may be reused
   */
  default boolean reusesCommittedSnapshots() {
    return false;
  }

  /**
   * Finds a hold of this account in any state. A hold of another account is never returned.
   *
   * @param account the account
   * @param hold the hold
   * @return the hold, empty when this account has no such hold
   */
  Optional<Hold> findHold(AccountId account, HoldId hold);

  /**
   * Commits one change atomically, if the account's stored version is still the expected one.
   *
   * @param change the change
   * @return {@link CommitOutcome#COMMITTED}, or {@link CommitOutcome#CONFLICT} when nothing was
   *     written because the version moved, the account already existed, or the idempotency key was
   *     taken meanwhile
   */
  CommitOutcome commit(AccountChange change);

  /**
   * Reads ledger entries of one account: sequence above {@code query.afterSequence()}, time within
   * the query's range, in ascending sequence order, at most {@code query.limit()}.
   *
   * @param account the account
   * @param query the page to read
   * @return the entries, possibly empty
   */
  List<LedgerEntry> readLedger(AccountId account, LedgerQuery query);

  /**
   * Finds active holds whose deadline is before {@code now}, oldest deadline first.
   *
   * @param now the current time
   * @param limit the most to return
   * @return hold references, possibly empty
   */
  List<HoldRef> findHoldsPastDeadline(Instant now, int limit);

  /**
   * Finds accounts with a lot whose expiry is at or before {@code now} and which still has credits
   * remaining.
   *
   * @param now the current time
   * @param limit the most to return
   * @return account ids, each once, possibly empty
   */
  List<AccountId> findAccountsWithExpiredLots(Instant now, int limit);

  /**
   * Finds accounts whose {@link AccountRecord#planDueAt()} is at or before {@code now}, soonest first.
   *
   * @param now the current time
   * @param limit the most to return
   * @return account ids, possibly empty
   */
  List<AccountId> findAccountsWithPlanDue(Instant now, int limit);
}
