package io.preprompt.credits.testkit;

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
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link CreditStore} that forwards every call to another store: the base for decorators and
 * hand-written fakes (a fault injector, a store that breaks one rule on purpose, a counting
 * wrapper). Subclasses override only what they change.
 *
 * <p>{@link CreditStore#readForCall} is deliberately not forwarded: its default composes
 * {@link #findIdempotencyRecord} and {@link #load}, so a subclass that changes either is honoured
 * on every path.
 */
public class ForwardingCreditStore implements CreditStore {
  private final CreditStore delegate;

  /**
   * Wraps a store.
   *
   * @param delegate the store every call goes to
   * @throws NullPointerException when {@code delegate} is null
   */
  public ForwardingCreditStore(CreditStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * Returns the wrapped store.
   *
   * @return the store every call goes to
   */
  public CreditStore delegate() {
    return delegate;
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
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return delegate.findHold(account, hold);
  }

  @Override
  public CommitOutcome commit(AccountChange change) {
    return delegate.commit(change);
  }

  /** Forwarded, so that a decorated store working in its host's transaction still holds back listeners. */
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
