package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Forwards every call to an in-memory store; broken stores override what they break. */
abstract class ForwardingStore implements CreditStore {
  final InMemoryCreditStore delegate = new InMemoryCreditStore();

  @Override
  public Optional<AccountSnapshot> load(AccountId account) {
    return delegate.load(account);
  }

  @Override
  public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
    return delegate.findIdempotencyRecord(account, key);
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return delegate.findHold(account, hold);
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    return delegate.commit(change);
  }

  @Override
  public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
    return delegate.readLedger(account, query);
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

  /** Copies a change with other entries and idempotency record. */
  static AccountChange with(AccountChange c, List<LedgerEntry> entries, @Nullable IdempotencyRecord record) {
    return new AccountChange(c.expectedVersion(), c.account(), c.newLots(), c.changedLots(), c.newHolds(),
        c.endedHolds(), entries, record);
  }
}
