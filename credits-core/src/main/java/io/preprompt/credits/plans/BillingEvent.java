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
      if (currency == null || !currency.matches("[A-Za-z]{3}")) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a pack payment's currency must be an ISO 4217 code, was "
            + (currency == null ? "null" : "'" + currency + "'"));
      }
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
}
