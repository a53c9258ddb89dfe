package io.preprompt.credits.gate;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.plans.Tier;
import java.util.List;
import java.util.Optional;

/**
 * What the app calls around every generation: {@link #authorize} before it starts (estimate, tier
 * check, hold), then {@link #succeeded} (settle the actual cost), {@link #failed} or
 * {@link #blocked} (release). Tier entitlement rules live here.
 *
 * <p>Authorize a generation (its estimate is held), then settle what it cost:
 *
 * <pre>{@code
 * GenerationGate gate = credits.gate();
 * GenerationRequest frame = GenerationRequest.image("standard", "720p");
 * Authorization auth = gate.authorize(user, frame, IdempotencyKey.of("gen-1"));
 * if (auth instanceof Authorization.Authorized ok) {                    // the estimate is held
 *   gate.succeeded(user, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of("gen-1-done"));
 * }
 * }</pre>
 */
public interface GenerationGate {
  /**
   * Returns the reader of what generations cost: per-generation history, usage by kind, a hold's
   * story.
   *
   * @return the history reader over this gate's ledger
   */
  GenerationHistory history();

  /**
   * Returns the rate card.
   *
   * @return the prices
   */
  RateCard rateCard();

  /**
   * Authorizes one generation.
   *
   * @param account the account
   * @param request what to generate
   * @param key idempotency key
   * @return authorized (with the hold), insufficient credits (with the upgrade offer) or not in tier
   * @throws InvalidRequestException when the rate card cannot price the request
   */
  Authorization authorize(AccountId account, GenerationRequest request, IdempotencyKey key);

  /**
   * Authorizes a scene all-or-nothing: either every item is held, in one atomic change, or none is.
   *
   * @param account the account
   * @param requests the items, 1..500
   * @param key idempotency key
   * @return authorized (one hold per item), insufficient credits (for the total) or not in tier
   * @throws InvalidRequestException when an item cannot be priced
   */
  Authorization authorizeBatch(AccountId account, List<GenerationRequest> requests, IdempotencyKey key);

  /**
   * Grows the hold of a running generation (a streamed or reasoning call whose cost passes the
   * estimate), exactly once per key, under the rules of a new hold
   * ({@link io.preprompt.credits.CreditService#extend}).
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param more credits to add, positive
   * @param key idempotency key
   * @return authorized (with the grown hold, no estimates, {@code total == more}) or insufficient
   *     credits (the balance, {@code more} as the estimate, the shortfall and the upgrade offer, no
   *     estimates); nothing changes unless authorized
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null
   * @throws io.preprompt.credits.core.HoldStateException when the hold already ended
   * @throws io.preprompt.credits.core.UnknownHoldException when the account has no such hold
   * @throws io.preprompt.credits.core.IdempotencyConflictException when the key was used with other parameters
   */
  Authorization extend(AccountId account, HoldId hold, CreditAmount more, IdempotencyKey key);

  /**
   * The generation succeeded: settle its actual cost (at most what was held unless the account's
   * {@link io.preprompt.credits.core.OveragePolicy} allows more); the rest returns. Under the default
   * policy a cost above the hold is refused: extend the hold first ({@link #extend}), which answers
   * with the shortfall and the upgrade offer when the balance cannot cover it.
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param actualCost the actual cost in credits; zero releases the hold, recorded as a success at no cost
   * @param key idempotency key
   * @return the settlement
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for a null cost
   * @throws OverageRefusedException when the cost exceeds the hold, the overage policy refuses and the
   *     available credits do not cover the difference; it names the shortfall and carries the upgrade
   *     offer, and nothing changed
   * @throws io.preprompt.credits.core.HoldStateException when the hold already ended
   * @throws io.preprompt.credits.core.UnknownHoldException when the account has no such hold
   */
  Settlement succeeded(AccountId account, HoldId hold, CreditAmount actualCost, IdempotencyKey key);

  /**
   * The generation succeeded: settle the price of its actual usage (at most what was held); the rest
   * returns. For a language model, authorize with the prompt's tokens and the most it may write,
   * then settle with the tokens it reported; the settle's ledger entries record the actual quantities
   * ({@code q.output_tokens=...}) and the usage report sums them.
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param actualUsage what was actually generated: the same kind and model as authorized, with the
   *     quantities used
   * @param key idempotency key
   * @return the settlement; a usage priced at 0 credits releases the hold, recorded as a success at no
   *     cost
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a missing usage, a hold
   *     the gate did not place, or a kind or model other than the hold's;
   *     {@link ErrorCode#UNKNOWN_PRICE_DIMENSION} or {@link ErrorCode#AMOUNT_OVERFLOW} when the rate card
   *     cannot price the usage. Nothing changes.
   * @throws OverageRefusedException when its price exceeds the hold, the overage policy refuses and the
   *     available credits do not cover the difference (shortfall and upgrade offer; nothing changed)
   * @throws io.preprompt.credits.core.HoldStateException when the hold already ended
   * @throws io.preprompt.credits.core.UnknownHoldException when the account has no such hold
   */
  Settlement succeeded(AccountId account, HoldId hold, GenerationRequest actualUsage, IdempotencyKey key);

  /**
   * The generation failed: release everything; the user is never charged for it.
   *
   * @param account the account
   * @param hold the hold
   * @param reason why it failed
   * @param key idempotency key
   * @return the release
   */
  Release failed(AccountId account, HoldId hold, String reason, IdempotencyKey key);

  /**
   * The generation was blocked (for example by moderation) or cancelled: release everything.
   *
   * @param account the account
   * @param hold the hold
   * @param key idempotency key
   * @return the release
   */
  Release blocked(AccountId account, HoldId hold, IdempotencyKey key);

  /**
   * A support adjustment that adds credits, as an {@link LotSource#ADJUSTMENT} lot that never expires,
   * with a reason on the ledger.
   *
   * @param account the account
   * @param credits credits to add, positive
   * @param reason why, for the ledger, 1..256 chars
   * @param key idempotency key
   * @return the account's available credits afterwards
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null credits (or
   *     {@link ErrorCode#AMOUNT_OVERFLOW}), {@link ErrorCode#INVALID_ARGUMENT} for a missing or long reason
   * @throws io.preprompt.credits.core.UnknownAccountException when the account does not exist
   * @throws io.preprompt.credits.core.IdempotencyConflictException when the key was used with other parameters
   */
  long addCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key);

  /**
   * A support adjustment that removes available credits (a duplicate charge, say), with a reason on
   * the ledger.
   *
   * @param account the account
   * @param credits credits to remove, positive, at most what is available
   * @param reason why, for the ledger, 1..256 chars
   * @param key idempotency key
   * @return the account's available credits afterwards
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null credits,
   *     {@link ErrorCode#INVALID_ARGUMENT} for a missing or long reason
   * @throws io.preprompt.credits.core.InsufficientCreditsException when fewer credits are available
   * @throws io.preprompt.credits.core.UnknownAccountException when the account does not exist
   * @throws io.preprompt.credits.core.IdempotencyConflictException when the key was used with other parameters
   */
  long removeCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key);

  /**
   * Returns the hold, as it stands now.
   *
   * @param account the account
   * @param hold the hold
   * @return the hold, if this account has it
   */
  Optional<Hold> hold(AccountId account, HoldId hold);
}
