package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.Counter;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationHistory;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.RateCard;
import java.util.List;
import java.util.Optional;

/**
 * A generation gate that counts the authorizations it answers with insufficient credits or not in
 * tier (a batch counts once). Every other call goes to the delegate as it is.
 */
final class BlockCountingGenerationGate implements GenerationGate {
  private final GenerationGate delegate;
  private final Counter insufficientCredits;
  private final Counter notInTier;

  BlockCountingGenerationGate(GenerationGate delegate, Counter insufficientCredits, Counter notInTier) {
    this.delegate = delegate;
    this.insufficientCredits = insufficientCredits;
    this.notInTier = notInTier;
  }

  @Override
  public Authorization authorize(AccountId account, GenerationRequest request, IdempotencyKey key) {
    return counted(delegate.authorize(account, request, key));
  }

  @Override
  public Authorization authorizeBatch(AccountId account, List<GenerationRequest> requests, IdempotencyKey key) {
    return counted(delegate.authorizeBatch(account, requests, key));
  }

  private Authorization counted(Authorization authorization) {
    if (authorization instanceof Authorization.InsufficientCredits) {
      insufficientCredits.increment();
    } else if (authorization instanceof Authorization.NotInTier) {
      notInTier.increment();
    }
    return authorization;
  }

  @Override
  public GenerationHistory history() {
    return delegate.history();
  }

  @Override
  public RateCard rateCard() {
    return delegate.rateCard();
  }

  @Override
  public Authorization extend(AccountId account, HoldId hold, CreditAmount more, IdempotencyKey key) {
    return counted(delegate.extend(account, hold, more, key));
  }

  @Override
  public Settlement succeeded(AccountId account, HoldId hold, CreditAmount actualCost, IdempotencyKey key) {
    return delegate.succeeded(account, hold, actualCost, key);
  }

  @Override
  public Settlement succeeded(AccountId account, HoldId hold, GenerationRequest actualUsage, IdempotencyKey key) {
    return delegate.succeeded(account, hold, actualUsage, key);
  }

  @Override
  public Release failed(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    return delegate.failed(account, hold, reason, key);
  }

  @Override
  public Release blocked(AccountId account, HoldId hold, IdempotencyKey key) {
    return delegate.blocked(account, hold, key);
  }

  @Override
  public long addCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    return delegate.addCredits(account, credits, reason, key);
  }

  @Override
  public long removeCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    return delegate.removeCredits(account, credits, reason, key);
  }

  @Override
  public Optional<Hold> hold(AccountId account, HoldId hold) {
    return delegate.hold(account, hold);
  }
}
