package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.Counter;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.spi.KeyedRead;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A store that counts the commits that come back {@link CommitOutcome#CONFLICT} (each makes the
 * engine read the account again and retry). Every method, default ones included, goes to the
 * delegate's own: a store that answers {@link #readForCall} in one round trip, or follows its
 * host's transaction in {@link #whenDurable}, keeps doing so.
 */
final class ConflictCountingCreditStore implements CreditStore {
  private final CreditStore delegate;
  private final Counter conflicts;

  ConflictCountingCreditStore(CreditStore delegate, Counter conflicts) {
    this.delegate = delegate;
    this.conflicts = conflicts;
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    CommitOutcome outcome = delegate.commit(change);
    if (outcome == CommitOutcome.CONFLICT) {
      conflicts.increment();
    }
    return outcome;
  }

  @Override
  public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
    return delegate.load(account, holds);
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    return delegate.findIdempotencyRecord(account, key);
  }

  @Override
  public KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
    return delegate.readForCall(account, key, holds);
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return delegate.findHold(account, hold);
  }

  @Override
  public void whenDurable(Runnable action) {
    delegate.whenDurable(action);
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    return delegate.readLedger(account, query);
  }

  @Override
  public List<LedgerEntry> readHistory(AccountId account, LedgerQuery query) {
    return delegate.readHistory(account, query);
  }

  @Override
  public List<HoldRef> findHoldsPastDeadline(Instant now, int limit) {
    return delegate.findHoldsPastDeadline(now, limit);
  }

  @Override
  public List<AccountId> findAccountsWithExpiredLots(Instant now, int limit) {
    return delegate.findAccountsWithExpiredLots(now, limit);
  }

  @Override
  public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
    return delegate.findAccountsWithPlanDue(now, limit);
  }
}
