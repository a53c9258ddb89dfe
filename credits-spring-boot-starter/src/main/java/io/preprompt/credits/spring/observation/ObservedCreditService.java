package io.preprompt.credits.spring.observation;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.ExpiryChange;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.GrantVoid;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A credit service that observes each call it passes on. Every method, default ones included, goes
 * to the delegate's own, so the delegate behaves exactly as it would unwrapped.
 */
final class ObservedCreditService implements CreditService {
  private final CreditService delegate;
  private final Observations observations;

  ObservedCreditService(CreditService delegate, Observations observations) {
    this.delegate = delegate;
    this.observations = observations;
  }

  @Override
  public boolean openAccount(AccountId account, IdempotencyKey key) {
    return observations.observe("open_account", account, () -> delegate.openAccount(account, key));
  }

  @Override
  public GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      IdempotencyKey key) {
    return observations.observe("grant", account, () -> delegate.grant(account, source, amount, expiresAt, key));
  }

  @Override
  public GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      Map<String, String> metadata, IdempotencyKey key) {
    return observations.observe("grant", account,
        () -> delegate.grant(account, source, amount, expiresAt, metadata, key));
  }

  @Override
  public GrantReceipt grantStarting(AccountId account, LotSource source, CreditAmount amount, Instant startsAt,
      @Nullable Instant expiresAt, Map<String, String> metadata, IdempotencyKey key) {
    return observations.observe("grant", account,
        () -> delegate.grantStarting(account, source, amount, startsAt, expiresAt, metadata, key));
  }

  @Override
  public GrantVoid voidGrant(AccountId account, LotId lot, String reason, IdempotencyKey key) {
    return observations.observe("void_grant", account, () -> delegate.voidGrant(account, lot, reason, key));
  }

  @Override
  public ExpiryChange changeExpiry(AccountId account, LotId lot, @Nullable Instant expiresAt, String reason,
      IdempotencyKey key) {
    return observations.observe("change_expiry", account,
        () -> delegate.changeExpiry(account, lot, expiresAt, reason, key));
  }

  @Override
  public Hold hold(HoldRequest request) {
    return observations.observe("hold", request == null ? null : request.account(), () -> delegate.hold(request));
  }

  @Override
  public Settlement settle(AccountId account, HoldId hold, IdempotencyKey key) {
    return observations.observe("settle_all", account, () -> delegate.settle(account, hold, key));
  }

  @Override
  public Settlement settle(AccountId account, HoldId hold, CreditAmount amount, IdempotencyKey key) {
    return observations.observe("settle", account, () -> delegate.settle(account, hold, amount, key));
  }

  @Override
  public Settlement settle(AccountId account, HoldId hold, CreditAmount amount, Map<String, String> metadata,
      IdempotencyKey key) {
    return observations.observe("settle", account, () -> delegate.settle(account, hold, amount, metadata, key));
  }

  @Override
  public Settlement settleAll(AccountId account, HoldId hold, Map<String, String> metadata, IdempotencyKey key) {
    return observations.observe("settle_all", account, () -> delegate.settleAll(account, hold, metadata, key));
  }

  @Override
  public Release release(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    return observations.observe("release", account, () -> delegate.release(account, hold, reason, key));
  }

  @Override
  public Hold extend(AccountId account, HoldId hold, CreditAmount more, @Nullable Duration ttl, IdempotencyKey key) {
    return observations.observe("extend", account, () -> delegate.extend(account, hold, more, ttl, key));
  }

  @Override
  public OveragePolicy setOveragePolicy(AccountId account, OveragePolicy policy, IdempotencyKey key) {
    return observations.observe("set_overage_policy", account, () -> delegate.setOveragePolicy(account, policy, key));
  }

  @Override
  public OveragePolicy overagePolicy(AccountId account) {
    return observations.observe("overage_policy", account, () -> delegate.overagePolicy(account));
  }

  @Override
  public BalanceView balance(AccountId account) {
    return observations.observe("balance", account, () -> delegate.balance(account));
  }

  @Override
  public Reconciliation reconcile(AccountId account) {
    return observations.observe("reconcile", account, () -> delegate.reconcile(account));
  }

  @Override
  public SweepReport sweep() {
    return observations.observe("sweep", null, delegate::sweep);
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return observations.observe("find_hold", account, () -> delegate.findHold(account, hold));
  }

  @Override
  public LedgerPage history(AccountId account, LedgerQuery query) {
    return observations.observe("history", account, () -> delegate.history(account, query));
  }

  /** Not observed as one call: it may read any number of pages, for as long as the sink takes. */
  @Override
  public void forEachEntry(AccountId account, LedgerQuery query, Consumer<LedgerEntry> sink) {
    delegate.forEachEntry(account, query, sink);
  }
}
