package io.preprompt.credits.plans;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Instant;

/**
 * A confirmation from the host's billing system. Each is idempotent by its provider event id; events
 * may arrive twice or out of order without double grants.
 *
 * <p>Event ids (1 to 192 characters) and payment references (1 to 190) use {@code [A-Za-z0-9._:@/+=-]}
 * (provider ids such as {@code evt_1NXk...} fit; the limits leave room for the prefixes that make
 * them idempotency keys); every event is checked when it is built and
 * throws {@link InvalidRequestException} with {@link ErrorCode#INVALID_ARGUMENT} (or
 * {@link ErrorCode#INVALID_ACCOUNT_ID} for a missing account) when malformed.
 */
public sealed interface BillingEvent {
  /**
   * Returns the provider's event id.
   *
   * @return the id
   */
  String eventId();

  /**
   * Returns the account.
   *
   * @return the account
   */
  AccountId account();

  /**
   * A cycle was paid: refill its allowance (once per account and cycle).
   *
   * @param eventId provider event id
   * @param account the account
   * @param cycle the cycle number the charge request carried (0 for the first cycle); a cycle that
   *     has not started yet is refused with {@link ErrorCode#CYCLE_NOT_STARTED}, never applied early
   */
  record CyclePaid(String eventId, AccountId account, long cycle) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param cycle the cycle number the charge request carried (0 for the first cycle)
     */
    public CyclePaid {
      check(eventId, account);
    }
  }

  /**
   * A cycle's payment failed: no refill, the subscription is past due.
   *
   * @param eventId provider event id
   * @param account the account
   * @param cycle the cycle number
   */
  record PaymentFailed(String eventId, AccountId account, long cycle) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param cycle the cycle number
     */
    public PaymentFailed {
      check(eventId, account);
    }
  }

  /**
   * A pack was paid: grant it, once per payment reference. It must match one of the account's open
   * orders exactly (its reference, pack, amount and currency), else it is refused with
   * {@link ErrorCode#PAYMENT_MISMATCH} and grants nothing.
   *
   * @param eventId provider event id
   * @param account the account
   * @param packId the pack
   * @param paymentReference the reference of the {@link PackOrder}
   * @param amountMinor the amount paid, in minor units
   * @param currency the ISO 4217 currency paid in
   */
  record PackPaid(String eventId, AccountId account, String packId, String paymentReference, long amountMinor,
      String currency) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param packId the pack
     * @param paymentReference the reference of the {@link PackOrder}
     * @param amountMinor the amount paid, in minor units (not negative)
     * @param currency the ISO 4217 currency paid in (three letters)
     */
    public PackPaid {
      check(eventId, account);
      if (packId == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a pack payment must name its pack");
      }
      checkId(paymentReference, "payment reference", 190);
      if (amountMinor < 0) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a pack payment's amount must not be negative, was "
            + amountMinor);
      }
      checkCurrency(currency);
    }

    /**
     * A payment of exactly what an order asked for, as a billing system reports it.
     *
     * @param eventId provider event id
     * @param order the order paid
     * @return the event
     */
    public static PackPaid of(String eventId, PackOrder order) {
      return new PackPaid(eventId, order.account(), order.pack().id(), order.paymentReference(),
          order.pack().priceMinor(), order.pack().currency());
    }
  }

  /**
   * The subscription was cancelled at the billing system.
   *
   * @param eventId provider event id
   * @param account the account
   * @param effectiveAt when refills stop
   */
  record SubscriptionCancelled(String eventId, AccountId account, Instant effectiveAt) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param effectiveAt when refills stop
     */
    public SubscriptionCancelled {
      check(eventId, account);
      if (effectiveAt == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a cancellation needs its effective time");
      }
    }
  }

  /**
   * A subscription period was paid, as a payment system reports a paid invoice: the period is named
   * by its start and end, never by a number.
   *
   * <p>With a subscription (active, past due, or just begun with
   * {@link PlanService#subscribe subscribe} and waiting for its first payment), the period must be one
   * of its cycles: its start a cycle's start and its end that cycle's end, and the tier the
   * subscription's tier or the one scheduled for it; else it is refused with
   * {@link ErrorCode#BILLING_PERIOD_MISMATCH}. It then refills that cycle exactly as
   * {@link CyclePaid} does: once per cycle, so the same period paid under a second event id is
   * {@link BillingOutcome.Effect#IGNORED IGNORED}, as is an older period arriving after a later one
   * was refilled. Without a subscription (the user subscribed in the payment system's own checkout)
   * the first paid period starts one to {@code tierId}, anchored at {@code periodStart}, and refills
   * its first cycle; the subscription is recorded as done, without a call to the billing gateway.
   *
   * <p>A period that has not started yet is refused with {@link ErrorCode#BILLING_PERIOD_NOT_STARTED},
   * nothing written: it is never applied early, and the payment system's redelivery applies it once
   * the period has started. The allowance lot it grants remembers {@code paymentReference}, so a
   * {@link Refunded} of that payment can take back what is unspent.
   *
   * @param eventId provider event id
   * @param account the account
   * @param tierId the paid tier the period was paid for
   * @param periodStart when the period starts
   * @param periodEnd when it ends (after its start)
   * @param paymentReference the payment's reference (the invoice or charge id), for refunds
   * @param amountMinor the amount paid, in minor units
   * @param currency the ISO 4217 currency paid in
   */
  record PeriodPaid(String eventId, AccountId account, String tierId, Instant periodStart, Instant periodEnd,
      String paymentReference, long amountMinor, String currency) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param tierId the paid tier the period was paid for (not null)
     * @param periodStart when the period starts (not null)
     * @param periodEnd when it ends (after its start)
     * @param paymentReference the payment's reference
     * @param amountMinor the amount paid, in minor units (not negative)
     * @param currency the ISO 4217 currency paid in (three letters)
     */
    public PeriodPaid {
      check(eventId, account);
      if (tierId == null || tierId.isBlank()) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a paid period must name its tier");
      }
      checkPeriod(periodStart, periodEnd);
      checkId(paymentReference, "payment reference", 190);
      if (amountMinor < 0) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a paid period's amount must not be negative, was "
            + amountMinor);
      }
      checkCurrency(currency);
    }
  }

  /**
   * A subscription period's payment failed, as {@link PaymentFailed} for the cycle with that period:
   * no refill, the subscription is past due. A period no cycle of the subscription has is refused with
   * {@link ErrorCode#BILLING_PERIOD_MISMATCH}; without a subscription, or for a cycle already paid, it
   * is {@link BillingOutcome.Effect#IGNORED IGNORED}.
   *
   * @param eventId provider event id
   * @param account the account
   * @param periodStart when the period starts
   * @param periodEnd when it ends (after its start)
   */
  record PeriodPaymentFailed(String eventId, AccountId account, Instant periodStart, Instant periodEnd)
      implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param periodStart when the period starts (not null)
     * @param periodEnd when it ends (after its start)
     */
    public PeriodPaymentFailed {
      check(eventId, account);
      checkPeriod(periodStart, periodEnd);
    }
  }

  /**
   * The payment system changed the plan itself (its customer portal, say). It is recorded as done,
   * without a call to the billing gateway, under the rule {@link PlanService#changePlan changePlan}
   * applies: an upgrade per the configured {@link UpgradePolicy} (with
   * {@link UpgradePolicy#PRORATE_NOW}, entitlements switch now and the remaining fraction of the
   * allowance difference is granted now), a downgrade at the next cycle. The library's rule decides
   * when it takes effect; {@code effectiveAt} is kept in the outcome's detail. Moving to the tier the
   * account already has, with nothing scheduled, is {@link BillingOutcome.Effect#IGNORED IGNORED}.
   * An unknown tier is refused with {@link ErrorCode#UNKNOWN_TIER}, the free tier with
   * {@link ErrorCode#INVALID_ARGUMENT} (that is a cancellation), an account without an active
   * subscription with {@link ErrorCode#SUBSCRIPTION_REQUIRED}.
   *
   * @param eventId provider event id
   * @param account the account
   * @param toTier the paid tier the account moved to
   * @param effectiveAt when the payment system made the change
   */
  record PlanChanged(String eventId, AccountId account, String toTier, Instant effectiveAt) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param toTier the paid tier the account moved to (not null)
     * @param effectiveAt when the payment system made the change (not null)
     */
    public PlanChanged {
      check(eventId, account);
      if (toTier == null || toTier.isBlank()) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a plan change must name its tier");
      }
      if (effectiveAt == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a plan change needs its effective time");
      }
    }
  }

  /**
   * A payment was refunded, wholly or in part: a pack's payment (its {@link PackOrder} reference) or
   * a paid period's ({@link PeriodPaid#paymentReference()}). It takes back, from the lot that payment
   * granted, the refunded share of the lot: {@code floor(granted * amountMinor / paidMinor)} credits,
   * but never more than the lot still has available. Credits already spent (or expired, or held by a
   * generation in flight) are not taken: the account never goes into debt; how many could not be
   * taken is said in the outcome's detail and the ledger entry's metadata ({@code notTaken}). The
   * credits are taken as a {@link io.preprompt.credits.ledger.EntryType#DEBIT DEBIT} entry with the
   * reason {@code refund}. Each event id is one refund, applied once; a payment reference that granted
   * nothing to the account is refused with {@link ErrorCode#UNKNOWN_PAYMENT}, nothing changed.
   *
   * @param eventId provider event id (one per refund)
   * @param account the account
   * @param paymentReference the reference of the payment refunded
   * @param amountMinor the amount refunded, in minor units (1 to {@code paidMinor})
   * @param paidMinor the amount the payment was for, in minor units (positive)
   */
  record Refunded(String eventId, AccountId account, String paymentReference, long amountMinor, long paidMinor)
      implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param paymentReference the reference of the payment refunded
     * @param amountMinor the amount refunded, in minor units (1 to {@code paidMinor})
     * @param paidMinor the amount the payment was for, in minor units (positive)
     */
    public Refunded {
      check(eventId, account);
      checkId(paymentReference, "payment reference", 190);
      if (paidMinor < 1 || amountMinor < 1 || amountMinor > paidMinor) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a refund's amount must be 1.." + paidMinor
            + " (what was paid, positive), was " + amountMinor);
      }
    }
  }

  /** The shape of event ids and payment references: they become parts of idempotency keys. */
  private static boolean wellFormed(String id, int maxLength) {
    if (id.isEmpty() || id.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == ':' || c == '@' || c == '-' || c == '/' || c == '+' || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static void check(String eventId, AccountId account) {
    checkId(eventId, "event id", 192);
    if (account == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ACCOUNT_ID, "a billing event must name its account");
    }
  }

  private static void checkId(String id, String what, int maxLength) {
    if (id == null || !wellFormed(id, maxLength)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, what + " must be 1.." + maxLength
          + " chars of [A-Za-z0-9._:@/+=-], was " + (id == null ? "null" : id.length() + " chars"));
    }
  }

  private static void checkCurrency(String currency) {
    if (currency == null || !currency.matches("[A-Za-z]{3}")) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a payment's currency must be an ISO 4217 code, was "
          + (currency == null ? "null" : "'" + currency + "'"));
    }
  }

  private static void checkPeriod(Instant start, Instant end) {
    if (start == null || end == null || !end.isAfter(start)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a period needs a start and an end after it, was "
          + start + " to " + end);
    }
  }
}
