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
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.LedgerReader;
import io.preprompt.credits.ledger.Reconciliation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one entry point a host app holds: grants, two-phase holds, balances, history and
 * reconciliation over a {@link io.preprompt.credits.spi.CreditStore}.
 *
 * <p>Build it with {@link #builder()}. It is thread-safe; many instances (in one process or many)
 * may share one store. Every mutating call takes an {@link IdempotencyKey} scoped to the account:
 * the same key with the same parameters returns the first result; with different parameters it
 * throws {@link IdempotencyConflictException}. Every {@link CreditsException} a mutating call throws
 * means nothing changed, except a {@link StoreException} whose {@link StoreException#outcome()} is
 * {@link StoreException.Outcome#UNKNOWN} (the answer to the commit was lost): resend the call with
 * the same key, which replays it if it was committed and applies it if not.
 *
 * <p>Hold the estimate when a job starts, settle what it cost when it succeeds:
 *
 * <pre>{@code
 * CreditService service = credits.credits();
 * Hold hold = service.hold(HoldRequest.of(user, CreditAmount.of(40), IdempotencyKey.of("job-7")));
 * // ... the job succeeded and cost 32 credits: the other 8 return to the balance
 * service.settle(user, hold.id(), CreditAmount.of(32), IdempotencyKey.of("job-7-done"));
 * long available = service.balance(user).available();                  // 168
 * }</pre>
 */
public interface CreditService extends LedgerReader {

  /**
   * Returns a builder.
   *
   * @return a new builder
   */
  static CreditServiceBuilder builder() {
    return new CreditServiceBuilder();
  }

  /**
   * Opens an account with a zero balance. Opening an account that already exists changes nothing.
   *
   * @param account the account
   * @param key idempotency key
   * @return {@code true} when this call (or the first call with this key) created the account
   */
  boolean openAccount(AccountId account, IdempotencyKey key);

  /**
   * Grants credits as a new lot.
   *
   * @param account the account, which must exist
   * @param source where the credits come from
   * @param amount credits, positive
   * @param expiresAt when the lot's remaining credits expire (must be in the future), or {@code null} for never
   * @param key idempotency key
   * @return the new lot
   * @throws InvalidRequestException for a zero amount, an expiry not in the future, or overflow
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  default GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      IdempotencyKey key) {
    return grant(account, source, amount, expiresAt, Map.of(), key);
  }

  /**
   * Grants credits as a new lot, with a description recorded on the ledger entry.
   *
   * @param account the account, which must exist
   * @param source where the credits come from
   * @param amount credits, positive
   * @param expiresAt when the lot's remaining credits expire (must be in the future), or {@code null} for never
   * @param metadata a description (reason, payment reference), see {@link HoldRequest#checkMetadata}
   * @param key idempotency key
   * @return the new lot
   * @throws InvalidRequestException for a zero amount, an expiry not in the future, bad metadata or overflow
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  GrantReceipt grant(AccountId account, LotSource source, CreditAmount amount, @Nullable Instant expiresAt,
      Map<String, String> metadata, IdempotencyKey key);

  /**
   * Grants credits as a new lot whose credits start to count at a later instant: until then they
   * are upcoming ({@link BalanceView#upcoming()}), neither available nor drawn by holds, and from
   * then on available, with no call needed (the clock passing is enough). The ledger entry has the
   * call's time and names the start in its metadata ({@code startsAt}); the lot's
   * {@link io.preprompt.credits.balance.Lot#grantedAt()} is the start.
   *
   * @param account the account, which must exist
   * @param source where the credits come from
   * @param amount credits, positive
   * @param startsAt when the credits start to count; one not after now means at once
   * @param expiresAt when the lot's remaining credits expire (after the start and after now), or
   *     {@code null} for never
   * @param metadata a description (reason, payment reference), see {@link HoldRequest#checkMetadata}
   * @param key idempotency key
   * @return the new lot, whose {@link GrantReceipt#grantedAt()} is the start
   * @throws InvalidRequestException for a zero amount, an expiry not after the start or not in the
   *     future, a null start, bad metadata or overflow
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  GrantReceipt grantStarting(AccountId account, LotSource source, CreditAmount amount, Instant startsAt,
      @Nullable Instant expiresAt, Map<String, String> metadata, IdempotencyKey key);

  /**
   * Voids a grant: what remains of its lot leaves the balance, as a {@code DEBIT} ledger entry with
   * metadata {@code void=true} and the reason. What was already used is not taken back, and what
   * active holds reserved from the lot stays with them: what they settle is spent, what they return
   * expires at once (the void sets the lot's expiry to now). The result reports both.
   *
   * @param account the lot's account
   * @param lot the lot, as {@link GrantReceipt#lot()} named it
   * @param reason why, non-blank, at most 256 chars
   * @param key idempotency key
   * @return what was voided, what was held and what was already used
   * @throws InvalidRequestException for a null lot or a null, blank or too long reason
   * @throws io.preprompt.credits.core.StateException with {@link ErrorCode#LOT_NOT_FOUND} when the
   *     account has no such lot, with {@link ErrorCode#LOT_ENDED} when nothing of it remains
   *     available (voided already with another key, spent, held or expired)
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  GrantVoid voidGrant(AccountId account, LotId lot, String reason, IdempotencyKey key);

  /**
   * Changes when a lot's remaining credits expire: later, earlier (but after now) or never. The
   * ledger records it as an {@code EXPIRY_CHANGED} entry whose amount is what the lot still carries
   * (remaining plus reserved; no credits move) and whose metadata names {@code previousExpiry},
   * {@code newExpiry} ({@code never} for none) and the reason. An expiry not after now is refused:
   * to end a lot at once, void it.
   *
   * @param account the lot's account
   * @param lot the lot
   * @param expiresAt the new expiry, after now and after the lot's start, or {@code null} for never
   * @param reason why, non-blank, at most 256 chars
   * @param key idempotency key
   * @return the previous and the new expiry
   * @throws InvalidRequestException for a null lot, a bad reason, an expiry not after now or the
   *     start, past the latest instant kept, or equal to the current one
   * @throws io.preprompt.credits.core.StateException with {@link ErrorCode#LOT_NOT_FOUND} when the
   *     account has no such lot, with {@link ErrorCode#LOT_ENDED} when it has no credits left or
   *     has expired (or was voided)
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  ExpiryChange changeExpiry(AccountId account, LotId lot, @Nullable Instant expiresAt, String reason,
      IdempotencyKey key);

  /**
   * Holds credits for a generation: they leave available and show as held, drawn from lots in
   * drawdown order (soonest expiry first; free before paid; oldest first).
   *
   * @param request what to hold
   * @return the active hold
   * @throws InsufficientCreditsException when available credits do not cover the amount
   * @throws InvalidRequestException when the ttl exceeds the configured maximum
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  Hold hold(HoldRequest request);

  /**
   * Grows an active hold while its generation runs (a streamed or reasoning call whose cost turns out
   * higher than estimated), under the same rules as a new hold: the credits are drawn from the
   * available balance in drawdown order, recorded as {@code HOLD} entries naming the hold, and the
   * hold's allocations grow. Never below zero: an account in debt cannot extend. The deadline stays
   * as it was.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param more credits to add, positive
   * @param key idempotency key
   * @return the grown hold
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null,
   *     {@link ErrorCode#AMOUNT_OVERFLOW} when the hold would exceed a {@code long}
   * @throws InsufficientCreditsException when available credits do not cover {@code more}; its
   *     {@link InsufficientCreditsException#shortfall()} says how many are missing; nothing changes
   * @throws HoldStateException when the hold already ended (settled, released or expired)
   * @throws UnknownHoldException when the account has no such hold (another account's included)
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  default Hold extend(AccountId account, HoldId hold, CreditAmount more, IdempotencyKey key) {
    return extend(account, hold, more, null, key);
  }

  /**
   * Grows an active hold and, optionally, moves its deadline later; see
   * {@link #extend(AccountId, HoldId, CreditAmount, IdempotencyKey)}.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param more credits to add, positive
   * @param ttl how long from now the hold may stay unanswered at least (its deadline becomes the later
   *     of the current one and now plus this), at most the configured maximum ttl; or {@code null} to
   *     keep the deadline
   * @param key idempotency key
   * @return the grown hold
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null,
   *     {@link ErrorCode#AMOUNT_OVERFLOW} when the hold would exceed a {@code long},
   *     {@link ErrorCode#INVALID_ARGUMENT} for a ttl not positive or above the maximum
   * @throws InsufficientCreditsException when available credits do not cover {@code more}
   * @throws HoldStateException when the hold already ended
   * @throws UnknownHoldException when the account has no such hold
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  Hold extend(AccountId account, HoldId hold, CreditAmount more, @Nullable Duration ttl, IdempotencyKey key);

  /**
   * Sets the account's own overage policy, which wins over its tier's and the configured default:
   * what a settle above its hold does with the difference ({@link OveragePolicy}). Exactly once per
   * key; no ledger entry (no credits move). Debt already owed stays owed.
   *
   * @param account the account
   * @param policy the policy
   * @param key idempotency key
   * @return the policy set
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a null policy
   * @throws UnknownAccountException when the account does not exist
   * @throws IdempotencyConflictException when the key was used with another policy
   */
  OveragePolicy setOveragePolicy(AccountId account, OveragePolicy policy, IdempotencyKey key);

  /**
   * Returns the overage policy that applies to the account now: its own, else its tier's, else the
   * configured default.
   *
   * @param account the account
   * @return the policy
   * @throws UnknownAccountException when the account does not exist
   */
  OveragePolicy overagePolicy(AccountId account);

  /**
   * Settles the whole hold.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param key idempotency key
   * @return what was settled
   * @throws HoldStateException when the hold already ended (settled, released or expired)
   * @throws UnknownHoldException when the account has no such hold
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  default Settlement settle(AccountId account, HoldId hold, IdempotencyKey key) {
    return settleAll(account, hold, Map.of(), key);
  }

  /**
   * Settles part or all of a hold; the rest returns to the balance. An amount above the hold is
   * handled by the account's {@link OveragePolicy}: refused by default; else the whole hold is
   * spent, the difference is drawn from the available credits ({@code OVERAGE} entries) and, when
   * the policy allows debt, charged as debt down to the floor ({@code DEBT_INCURRED}); the
   * {@link Settlement} reports what was requested, charged and left uncollected.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param amount credits to spend, 1 to the held amount, or more under an overage policy that is not
   *     refuse (to spend nothing, release the hold)
   * @param key idempotency key
   * @return what was settled and returned
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null (the whole hold
   *     is settled only by {@link #settle(AccountId, HoldId, IdempotencyKey)})
   * @throws InsufficientCreditsException when the amount exceeds the hold and the available credits do
   *     not cover the difference under the {@code refuse()} overage policy (nothing changed)
   * @throws HoldStateException when the hold already ended
   * @throws UnknownHoldException when the account has no such hold
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  default Settlement settle(AccountId account, HoldId hold, CreditAmount amount, IdempotencyKey key) {
    return settle(account, hold, amount, Map.of(), key);
  }

  /**
   * Settles part or all of a hold, recording a description (actual cost, output id) on the ledger.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param amount credits to spend, 1 to the held amount, or more under an overage policy that is not
   *     refuse (see {@link #settle(AccountId, HoldId, CreditAmount, IdempotencyKey)})
   * @param metadata description recorded on the settle entries
   * @param key idempotency key
   * @return what was settled and returned
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null (the whole hold
   *     is settled only by {@link #settleAll})
   * @throws InsufficientCreditsException when the amount exceeds the hold and the available credits do
   *     not cover the difference under the {@code refuse()} overage policy (nothing changed)
   * @throws HoldStateException when the hold already ended
   * @throws UnknownHoldException when the account has no such hold
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  Settlement settle(AccountId account, HoldId hold, CreditAmount amount, Map<String, String> metadata,
      IdempotencyKey key);

  /**
   * Settles the whole hold, recording a description (actual cost, output id) on the ledger.
   *
   * @param account the hold's account
   * @param hold the hold
   * @param metadata description recorded on the settle entries
   * @param key idempotency key
   * @return what was settled
   * @throws HoldStateException when the hold already ended
   * @throws UnknownHoldException when the account has no such hold
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  Settlement settleAll(AccountId account, HoldId hold, Map<String, String> metadata, IdempotencyKey key);

  /**
   * Releases a hold: everything returns to the balance (what returns to a lot that expired
   * meanwhile expires with it, and the ledger says so).
   *
   * @param account the hold's account
   * @param hold the hold
   * @param reason why (failed, blocked, cancelled), at most 256 chars
   * @param key idempotency key
   * @return what was returned
   * @throws HoldStateException when the hold already ended
   * @throws UnknownHoldException when the account has no such hold
   * @throws IdempotencyConflictException when the key was used with other parameters
   */
  Release release(AccountId account, HoldId hold, String reason, IdempotencyKey key);

  /**
   * Returns the balance now, with lazy expiry applied.
   *
   * @param account the account
   * @return the balance
   * @throws UnknownAccountException when the account does not exist
   */
  BalanceView balance(AccountId account);

  /**
   * Recomputes the account from its whole ledger and compares with the stored state. Reads the
   * whole history: meant for audits and support, not the hot path.
   *
   * @param account the account
   * @return the comparison
   * @throws UnknownAccountException when the account does not exist
   */
  Reconciliation reconcile(AccountId account);

  /**
   * Releases holds past their deadline and expires lots past their expiry, up to the configured
   * batch size of each. Hosts schedule it (every 30 seconds, say); several instances may sweep at
   * once. Access to an account applies the same expiry lazily, so the sweep only makes it visible
   * to other processes sooner.
   *
   * @return what was done
   */
  SweepReport sweep();
}
