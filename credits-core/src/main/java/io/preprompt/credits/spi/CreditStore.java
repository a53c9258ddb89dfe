package io.preprompt.credits.spi;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
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
 * <p>Failures other than a version conflict are thrown as {@link io.preprompt.credits.core.StoreException};
 * a failed commit must leave nothing of the change behind. Its
 * {@linkplain io.preprompt.credits.core.StoreException#outcome() outcome} says what the caller may
 * do: {@code NOT_APPLIED} for a read and for a commit that failed before it was sent or was rolled
 * back, {@code UNKNOWN} when the commit was sent and its answer lost (or the store cannot tell).
 */
public interface CreditStore {

  /**
   * Loads an account: its row, its live lots, the holds the selection asks for, and the earliest
   * deadline among its active holds. Nothing else: the cost of a load must not grow with the
   * account's ledger, its ended holds or its active holds that were not selected.
   *
   * @param account the account
   * @param holds which holds to bring along
   * @return the snapshot, empty when the account does not exist
   */
  Optional<AccountSnapshot> load(AccountId account, HoldSelection holds);

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
   * @param holds which holds to bring along with the account
   * @return the earlier call's record, or the account's snapshot (absent when it does not exist)
   */
  default KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
    Optional<IdempotencyRecord> record = findIdempotencyRecord(account, key);
    if (record.isPresent()) {
      return new KeyedRead(record.get(), null);
    }
    return new KeyedRead(null, load(account, holds).orElse(null));
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
   * @return {@link CommitOutcome#COMMITTED} (or {@link CommitOutcome#WRITTEN_IN_HOST_TRANSACTION}
   *     for a store writing inside its host's transaction), or {@link CommitOutcome#CONFLICT} when
   *     nothing was written because the version moved, the account already existed, a hold to end
   *     was no longer active, or the idempotency key was taken meanwhile
   */
  CommitOutcome commit(AccountChange change);

  /**
   * Runs an action once what the calling thread has written through this store is durable: at once
   * when it already is, otherwise when the transaction holding it commits. Core calls this on the
   * thread that made a change, right after the change was written, to tell the host's listeners (the
   * new balance, a low-balance signal) only what nothing can undo any more.
   *
   * <p>A store that commits its own transactions, so that every {@link CommitOutcome#COMMITTED} is
   * already durable, keeps this default, which runs the action at once. A store that writes into a
   * transaction it does not own (its host's, where {@link #commit} reports
   * {@link CommitOutcome#WRITTEN_IN_HOST_TRANSACTION}) overrides it: it runs the action after that
   * transaction commits, exactly once, and drops it when the transaction rolls back; when the calling
   * thread is in no such transaction (the write was committed at once), it runs the action at once.
   * Actions run in the order they were given.
   *
   * <p>The actions core passes catch their own failures. A store that cannot follow the transaction
   * throws instead of running the action early: core logs it and tells no listener.
   *
   * @param action what to run once the writes are durable; run at most once
   * @throws RuntimeException when the store cannot tell when the writes become durable (for example
   *     {@link io.preprompt.credits.core.StoreException} when it cannot reach its transaction)
   */
  default void whenDurable(Runnable action) {
    action.run();
  }

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
   * Reads ledger entries of one account for history and reports, which decide nothing: the same
   * entries as {@link #readLedger}, but a store may answer from a read replica that trails its
   * primary by the replication delay, so the page may miss the newest entries. Core reads through
   * this for {@link io.preprompt.credits.ledger.LedgerReader#history} (and so for
   * {@code forEachEntry} and the generation history and usage reports built on it); every read
   * that decides (balances, holds, reconciliation, plans) goes through {@link #readLedger} and the
   * other methods. The default is {@link #readLedger}.
   *
   * @param account the account
   * @param query the page to read
   * @return the entries, possibly empty
   */
  default List<LedgerEntry> readHistory(AccountId account, LedgerQuery query) {
    return readLedger(account, query);
  }

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
