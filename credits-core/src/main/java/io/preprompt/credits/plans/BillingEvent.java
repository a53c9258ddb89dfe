package io.preprompt.credits.plans;

import io.preprompt.credits.AccountId;
import java.time.Instant;
import java.util.Objects;

/**
 * A confirmation from the host's billing system. Each is idempotent by its provider event id; events
 * may arrive twice or out of order without double grants.
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
   * @param cycle the cycle number the charge request carried (0 for the first cycle)
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
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(account, "account");
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
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(account, "account");
    }
  }

  /**
   * A pack was paid: grant it, once per payment reference.
   *
   * @param eventId provider event id
   * @param account the account
   * @param packId the pack
   * @param paymentReference the reference of the {@link PackOrder}
   */
  record PackPaid(String eventId, AccountId account, String packId, String paymentReference) implements BillingEvent {
    /**
     * Checks the fields.
     *
     * @param eventId provider event id
     * @param account the account
     * @param packId the pack
     * @param paymentReference the reference of the {@link PackOrder}
     */
    public PackPaid {
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(packId, "packId");
      Objects.requireNonNull(paymentReference, "paymentReference");
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
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(effectiveAt, "effectiveAt");
    }
  }
}
