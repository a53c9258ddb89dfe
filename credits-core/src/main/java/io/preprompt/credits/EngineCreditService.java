package io.preprompt.credits;

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
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.internal.Engine;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The credit service the builders hand out: every call goes to the engine. The engine does not
 * implement {@link CreditService} itself, so that the engine's package never depends on this one
 * (which builds it): the packages of core form no cycle.
 */
final class EngineCreditService implements CreditService {
  private final Engine engine;

  EngineCreditService(Engine engine) {
    this.engine = engine;
  }

  @Override
  public boolean openAccount(AccountId account, IdempotencyKey key) {
    return engine.openAccount(account, key);
  }

  @Override
  public GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      Map<String, String> metadata, IdempotencyKey key) {
    return engine.grant(account, source, amount, expiresAt, metadata, key);
  }

  @Override
  public GrantReceipt grantStarting(AccountId account, LotSource source, CreditAmount amount, Instant startsAt,
      @Nullable Instant expiresAt, Map<String, String> metadata, IdempotencyKey key) {
    if (startsAt == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "start must not be null");
    }
    return engine.grant(account, source, amount, startsAt, expiresAt, metadata, key);
  }

  @Override
  public GrantVoid voidGrant(AccountId account, LotId lot, String reason, IdempotencyKey key) {
    return engine.voidGrant(account, lot, reason, key);
  }

  @Override
  public ExpiryChange changeExpiry(AccountId account, LotId lot, @Nullable Instant expiresAt, String reason,
      IdempotencyKey key) {
    return engine.changeExpiry(account, lot, expiresAt, reason, key);
  }

  @Override
  public Hold hold(HoldRequest request) {
    return engine.hold(request);
  }

  @Override
  public Settlement settle(AccountId account, HoldId hold, CreditAmount amount, Map<String, String> metadata,
      IdempotencyKey key) {
    return engine.settle(account, hold, amount, metadata, key);
  }

  @Override
  public Settlement settleAll(AccountId account, HoldId hold, Map<String, String> metadata, IdempotencyKey key) {
    return engine.settleAll(account, hold, metadata, key);
  }

  @Override
  public Release release(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    return engine.release(account, hold, reason, key);
  }

  @Override
  public Hold extend(AccountId account, HoldId hold, CreditAmount more, @Nullable Duration ttl, IdempotencyKey key) {
    return engine.extend(account, hold, more, ttl, Map.of(), key);
  }

  @Override
  public OveragePolicy setOveragePolicy(AccountId account, OveragePolicy policy, IdempotencyKey key) {
    return engine.setOveragePolicy(account, policy, key);
  }

  @Override
  public OveragePolicy overagePolicy(AccountId account) {
    return engine.overagePolicy(account);
  }

  @Override
  public BalanceView balance(AccountId account) {
    return engine.balance(account);
  }

  @Override
  public Optional<Hold> findHold(AccountId account, HoldId hold) {
    return engine.findHold(account, hold);
  }

  @Override
  public LedgerPage history(AccountId account, LedgerQuery query) {
    return engine.history(account, query);
  }

  @Override
  public Reconciliation reconcile(AccountId account) {
    return engine.reconcile(account);
  }

  @Override
  public SweepReport sweep() {
    return engine.sweep();
  }

  @Override
  public String toString() {
    return "CreditService[" + engine + "]";
  }
}
