package io.preprompt.credits.plans;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Duration;

/**
 * Tiers, the signup grant, allowance cycles, packs, plan changes and cancellation, over a
 * {@link io.preprompt.credits.CreditService}. Every rule the help page states about tiers, packs, allowances and billing
 * lives behind this interface, in one class of the engine.
 *
 * <p>The library never moves money: it asks the {@link BillingGateway} to charge and applies the
 * billing system's confirmations ({@link #handle(BillingEvent)}). Hosts without webhooks call
 * {@link #renewDue()} on a schedule instead (hosts with them call it too: it sends the charge
 * requests a failed gateway call left waiting). Every call is idempotent; every typed exception
 * means nothing changed.
 *
 * <p>Money rules, in one place: a subscription cycle is charged at most once per account (one
 * request, under a reference naming the account, subscription and cycle; see {@link #renewDue()});
 * a payment grants a pack only when it matches an open order of the account it names; a payment
 * for a cycle is never applied before the cycle starts; every reference the gateway sees names its
 * account, so two users' keys never collide; billing events and payments are keyed in the
 * library's own namespace ({@link IdempotencyKey#reserved}).
 *
 * <p>Subscribe, confirm the payment from your webhook, buy a pack:
 *
 * <pre>{@code
 * PlanService plans = credits.plans();
 * plans.subscribe(user, "studio", IdempotencyKey.of("sub-42"));         // asks the gateway to charge
 * plans.handle(new BillingEvent.CyclePaid("evt_1", user, 0));           // webhook: cycle 0 paid, +1,000
 * PackOrder order = plans.buyPack(user, "pack_500", IdempotencyKey.of("order-9"));
 * plans.handle(BillingEvent.PackPaid.of("evt_2", order));               // webhook: the pack is paid, +500
 * }</pre>
 *
 * <p>A payment system that runs the subscription itself (its own checkout, renewals, customer portal,
 * refunds) reports what it did, and the library records it without calling the gateway back:
 *
 * <pre>{@code
 * plans.handle(new BillingEvent.PeriodPaid("evt_3", user, "studio", periodStart, periodEnd,
 *     "in_1", 1_200, "USD"));                                            // invoice paid: starts or renews
 * plans.handle(new BillingEvent.PlanChanged("evt_4", user, "studio_pro", changedAt)); // portal upgrade
 * plans.handle(new BillingEvent.Refunded("evt_5", user, "in_1", 600, 1_200));          // half refunded
 * }</pre>
 */
public interface PlanService {
  /**
   * Returns the tier catalog.
   *
   * @return the tiers
   */
  TierCatalog tiers();

  /**
   * Returns the pack catalog.
   *
   * @return the packs
   */
  PackCatalog packs();

  /**
   * Grants the signup credits for a verified email, once per account ever. A second verification
   * changes nothing and says so.
   *
   * @param account the account (must exist)
   * @param key idempotency key
   * @return whether credits were granted
   */
  SignupResult verifyEmail(AccountId account, IdempotencyKey key);

  /**
   * Subscribes the account to a paid tier, anchored now: cycles are calendar months from now. The
   * request to charge the first cycle is recorded with the subscription and sent to the gateway
   * right after it commits (a request the gateway refuses or that is lost is sent again by
   * {@link #renewDue()}, under the same reference). The first cycle's allowance is granted when the
   * billing system confirms it was paid ({@link BillingEvent.CyclePaid} for cycle 0), or by
   * {@link #renewDue()}.
   *
   * @param account the account
   * @param tierId a paid tier
   * @param key idempotency key
   * @return the new subscription's first cycle as a plan change from the current tier
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER} for an unknown tier, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for the free tier
   * @throws StateException with {@link ErrorCode#ALREADY_SUBSCRIBED} when a subscription is active
   */
  PlanChange subscribe(AccountId account, String tierId, IdempotencyKey key);

  /**
   * Applies a confirmation from the billing system. Idempotent by event id (and, for packs, by
   * payment reference); duplicated, stale and reordered events never grant twice. The library keys
   * these changes in its own namespace ({@link IdempotencyKey#isReserved()}), so no caller key can
   * take them first.
   *
   * @param event the confirmation
   * @return what it did
   * @throws InvalidRequestException for malformed ids, with {@link ErrorCode#UNKNOWN_PACK} for an
   *     unknown pack, with {@link ErrorCode#PAYMENT_MISMATCH} for a payment that does not match
   *     an open order of the account it names (reference, pack, amount, currency): nothing is granted;
   *     with {@link ErrorCode#BILLING_PERIOD_MISMATCH} for a period that is not one of the
   *     subscription's cycles, {@link ErrorCode#UNKNOWN_TIER} for a period or plan change naming a tier
   *     the catalog lacks, {@link ErrorCode#UNKNOWN_PAYMENT} for a refund of a payment that granted
   *     the account nothing, or {@link ErrorCode#PAYMENT_MISMATCH} for a refund that would bring the
   *     payment's refunds above what was paid (nothing is taken back)
   * @throws StateException with {@link ErrorCode#CYCLE_NOT_STARTED} for a cycle payment that came
   *     before its cycle started, or {@link ErrorCode#BILLING_PERIOD_NOT_STARTED} for a period paid
   *     before it started (send it again once it has; nothing changed); with
   *     {@link ErrorCode#SUBSCRIPTION_REQUIRED} for a {@link BillingEvent.PlanChanged} on an account
   *     without an active subscription
   */
  BillingOutcome handle(BillingEvent event);

  /**
   * How long an instance that took a charge request has to record the gateway's answer. Past it the
   * instance is presumed gone (crashed, or its store write failed) and the request is sent again,
   * under the same reference; a gateway that is idempotent by reference, as the port asks, then
   * charges once.
   */
  Duration CHARGE_CLAIM_TIMEOUT = Duration.ofMinutes(15);

  /**
   * Renews every subscription whose next cycle has started and sends the charge requests that are
   * waiting, for hosts without billing webhooks (and as the safety net of those with them); call it
   * on a schedule. Several instances may run it at once.
   *
   * <p>Order of a clock-driven cycle: the refill and the request to charge it commit together (the
   * <em>charge intent</em>), then one instance takes the request and asks the gateway. So a refill
   * and its charge never disagree: a cycle refilled by the clock always has its charge asked for,
   * and a cycle the billing system reported paid ({@link BillingEvent.CyclePaid}) is never asked
   * for. Per account and cycle the gateway sees one request, under one reference unique to the
   * account, subscription and cycle; it sees it again only when the request failed (retried with a
   * back-off from one minute, doubling up to six hours) or when the instance that
   * sent it could not record the answer within {@link #CHARGE_CLAIM_TIMEOUT}.
   *
   * <p>An account that fails (a tier retired from the catalog, a gateway that throws, a store error)
   * is logged and set aside with a back-off (one minute, doubling up to a day) so it never holds up
   * the others; every other due account in the batch is still handled.
   *
   * @return the number of accounts refilled
   */
  int renewDue();

  /**
   * Changes the tier. A downgrade takes effect at the next cycle. An upgrade, with
   * {@link UpgradePolicy#PRORATE_NOW}, switches entitlements now and grants now the remaining
   * fraction of the allowance difference, rounded down
   * ({@code floor((new - old) * timeLeftInCycle / cycleLength)}, in milliseconds), replaced with the
   * allowance at the next refill; with {@link UpgradePolicy#AT_NEXT_CYCLE} it waits like a downgrade.
   * A scheduled change is replaced by a new one; asking for the current tier withdraws it.
   *
   * @param account the account
   * @param tierId the paid tier to move to
   * @param key idempotency key
   * @return what changed and when
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER}, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for the free tier (cancel instead) or the current tier
   *     with nothing scheduled
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without an active subscription
   */
  PlanChange changePlan(AccountId account, String tierId, IdempotencyKey key);

  /**
   * Withdraws a scheduled tier change before it applies.
   *
   * @param account the account
   * @param key idempotency key
   * @return the plan as it now stands ({@code pendingTier} null)
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without an active subscription
   */
  PlanChange withdrawPendingChange(AccountId account, IdempotencyKey key);

  /**
   * Cancels the subscription at the end of the paid cycle: refills stop from then, the balance stays
   * usable, and the account falls back to free-tier entitlements (and can no longer buy packs).
   *
   * @param account the account
   * @param key idempotency key
   * @return the cancellation, with its effective date
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without a subscription
   */
  PlanChange cancel(AccountId account, IdempotencyKey key);

  /** How long an unpaid pack order stays open; a payment for it afterwards is refused. */
  Duration PACK_ORDER_LIFETIME = Duration.ofDays(30);

  /** How many unpaid pack orders an account may have open at once. */
  int MAX_OPEN_PACK_ORDERS = 20;

  /**
   * Orders a pack. Only active paid subscribers whose tier allows packs may buy them; the free tier
   * gets {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}. The order is recorded (pack, price, currency, a
   * payment reference unique across accounts), then the gateway is asked to charge; the pack's
   * credits (which never expire) are granted when a {@link BillingEvent.PackPaid} matching the order
   * confirms the payment. An order unpaid after {@link #PACK_ORDER_LIFETIME} lapses. An order placed
   * while subscribed is honoured when its payment arrives after a cancellation: it was paid for.
   *
   * <p>The gateway is called after the order commits; when it throws, the exception reaches the
   * caller and the order stays open: sending the same key again asks again, under the same reference.
   *
   * @param account the account
   * @param packId the pack
   * @param key idempotency key
   * @return the order with its payment reference
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK}
   * @throws StateException with {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}, {@link ErrorCode#PACK_NOT_FOR_TIER}
   *     when the pack is sold only to other tiers, or
   *     {@link ErrorCode#TOO_MANY_OPEN_ORDERS} with {@link #MAX_OPEN_PACK_ORDERS} orders unpaid
   */
  PackOrder buyPack(AccountId account, String packId, IdempotencyKey key);

  /**
   * Grants a pack without a payment (support, a goodwill gesture, a payment taken outside the
   * library): the only way to grant pack credits outside an order. Explicit, keyed, and audited: the
   * ledger entry carries the reason and {@code withoutPayment=true}.
   *
   * @param account the account
   * @param packId the pack
   * @param reason why, for the ledger (1 to 500 characters, not blank)
   * @param key idempotency key
   * @return the credits granted
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK}, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for a missing or blank reason
   */
  long grantPackWithoutPayment(AccountId account, String packId, String reason, IdempotencyKey key);

  /**
   * Turns on (or changes) the account's automatic top-up: from now on, whenever a committed change
   * (a hold, a settle, a debit, an expiry, anything) leaves the account's available credits below
   * {@link AutoTopUp#thresholdCredits()}, the library orders {@link AutoTopUp#packId()} as
   * {@link #buyPack} would and asks the {@link BillingGateway} to charge it; the credits come when the
   * payment is confirmed ({@link BillingEvent.PackPaid} with the order's reference), exactly once.
   *
   * <p>The rules, in one place:
   * <ul>
   *   <li><b>Once per fall below the threshold.</b> The change that takes available credits below the
   *       threshold records the order in the same commit, and disarms the top-up; it is armed again
   *       only when available credits are back at or above the threshold and the order is paid (or
   *       lapsed after {@link #PACK_ORDER_LIFETIME}). So however many instances spend at once, one
   *       commit crosses and one pack is ordered, and at most one top-up waits for its payment.</li>
   *   <li><b>Never above the monthly cap.</b> The prices of the top-ups ordered in a calendar month
   *       (in {@link PlansConfig#zone()}, UTC by default, from the engine's clock) never exceed
   *       {@link AutoTopUp#monthlyCapMinor()}. A fall below the threshold that the cap does not allow
   *       buys nothing, is recorded ({@link TopUpStatus#skippedAt()}) and stays pending: the first
   *       change of a month whose cap allows it buys.</li>
   *   <li><b>Sent after commit, never twice.</b> The order's payment reference
   *       ({@code topup:<account>:<n>}) is decided in the commit; the gateway is asked after it, by
   *       the instance that committed. A request the gateway refuses is asked again by
   *       {@link #renewDue()} with a back-off, and one whose instance vanished after
   *       {@link #CHARGE_CLAIM_TIMEOUT}, always under the same reference: a gateway idempotent by
   *       reference, as the port asks, charges once.</li>
   *   <li>Only while the account may buy the pack (an active paid subscription whose tier allows
   *       it): otherwise a fall below the threshold buys nothing. Enabling while already below the
   *       threshold buys at once.</li>
   * </ul>
   *
   * @param account the account
   * @param setting the threshold, the pack and the monthly cap
   * @param key idempotency key
   * @return the top-up as this call set it (a purchase its own commit made, enabled below the
   *     threshold, shows in {@link #overview})
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK} for a pack not in the catalog,
   *     or {@link ErrorCode#TOP_UP_CAP_BELOW_PACK} for a monthly cap below the pack's price
   * @throws StateException with {@link ErrorCode#PACKS_REQUIRE_PAID_TIER} for an account that may not
   *     buy packs (the free tier, no active subscription), or {@link ErrorCode#PACK_NOT_FOR_TIER} when
   *     the pack is sold only to other tiers
   */
  TopUpStatus enableAutoTopUp(AccountId account, AutoTopUp setting, IdempotencyKey key);

  /**
   * Turns the account's automatic top-up off: no fall below the threshold buys from now on. A
   * top-up already ordered is still charged and granted when paid; the month's spend is kept, so
   * turning it off and on again never lifts the cap.
   *
   * @param account the account
   * @param key idempotency key
   * @return the top-up as it now stands (no setting)
   */
  TopUpStatus disableAutoTopUp(AccountId account, IdempotencyKey key);

  /**
   * Returns the tier whose entitlements apply to the account now (free after a cancellation).
   *
   * @param account the account
   * @return the tier
   */
  Tier currentTier(AccountId account);

  /**
   * Tells whether the account may buy packs now.
   *
   * @param account the account
   * @return true for active paid subscribers whose tier allows packs
   */
  boolean mayBuyPacks(AccountId account);

  /**
   * Returns what the user menu shows: balance, tier, this cycle's allowance and usage, cycle end,
   * and the automatic top-up with what it spent this month.
   * Reads this cycle's ledger entries to count usage.
   *
   * @param account the account
   * @return the overview
   */
  AccountOverview overview(AccountId account);
}
