package io.preprompt.credits.spring.observation;

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
 * A generation gate that observes each call it passes on. An authorization the gate answers with
 * insufficient credits or not in tier is a normal return, observed with the outcome {@code blocked}.
 */
final class ObservedGenerationGate implements GenerationGate {
  private final GenerationGate delegate;
  private final Observations observations;

  ObservedGenerationGate(GenerationGate delegate, Observations observations) {
    this.delegate = delegate;
    this.observations = observations;
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
  public Authorization authorize(AccountId account, GenerationRequest request, IdempotencyKey key) {
    return observations.observe("authorize", account, () -> delegate.authorize(account, request, key),
        ObservedGenerationGate::outcome);
  }

  @Override
  public Authorization authorizeBatch(AccountId account, List<GenerationRequest> requests, IdempotencyKey key) {
    return observations.observe("authorize_batch", account, () -> delegate.authorizeBatch(account, requests, key),
        ObservedGenerationGate::outcome);
  }

  @Override
  public Authorization extend(AccountId account, HoldId hold, CreditAmount more, IdempotencyKey key) {
    return observations.observe("extend_generation", account, () -> delegate.extend(account, hold, more, key),
        ObservedGenerationGate::outcome);
  }

  @Override
  public Settlement succeeded(AccountId account, HoldId hold, CreditAmount actualCost, IdempotencyKey key) {
    return observations.observe("succeeded", account, () -> delegate.succeeded(account, hold, actualCost, key));
  }

  @Override
  public Settlement succeeded(AccountId account, HoldId hold, GenerationRequest actualUsage, IdempotencyKey key) {
    return observations.observe("succeeded", account, () -> delegate.succeeded(account, hold, actualUsage, key));
  }

  @Override
  public Release failed(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    return observations.observe("failed", account, () -> delegate.failed(account, hold, reason, key));
  }

  @Override
  public Release blocked(AccountId account, HoldId hold, IdempotencyKey key) {
    return observations.observe("blocked", account, () -> delegate.blocked(account, hold, key));
  }

  @Override
  public long addCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    return observations.observe("add_credits", account, () -> delegate.addCredits(account, credits, reason, key));
  }

  @Override
  public long removeCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    return observations.observe("remove_credits", account,
        () -> delegate.removeCredits(account, credits, reason, key));
  }

  @Override
  public Optional<Hold> hold(AccountId account, HoldId hold) {
    return observations.observe("find_hold", account, () -> delegate.hold(account, hold));
  }

  private static String outcome(Authorization authorization) {
    return authorization instanceof Authorization.Authorized ? Observations.SUCCESS : Observations.BLOCKED;
  }
}
