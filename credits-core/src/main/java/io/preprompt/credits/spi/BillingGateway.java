package io.preprompt.credits.spi;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;

/**
 * The host's billing system, as the library sees it. The library never moves money: it asks the
 * gateway to charge and later accepts the billing system's confirmations as
 * {@code BillingEvent}s. Calls are at-least-once (a replayed call asks again), so implementations
 * must be idempotent by {@code reference}.
 */
public interface BillingGateway {
  /**
   * Asks for a subscription cycle to be charged; confirm with {@code CyclePaid} or {@code PaymentFailed}
   * carrying the same cycle number.
   *
   * @param account the account
   * @param tierId the tier to charge for
   * @param cycle the cycle number (0 for the first)
   * @param cycleStart when the cycle starts
   * @param cycleEnd when it ends
   * @param reference unique reference for this charge
   */
  void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference);

  /**
   * Asks for a pack to be charged; confirm with {@code PackPaid} carrying the reference.
   *
   * @param account the account
   * @param packId the pack
   * @param priceMinor price in minor units
   * @param currency ISO 4217 currency
   * @param reference unique payment reference
   */
  void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference);

  /**
   * Tells the billing system the plan changed now or will change at the next cycle.
   *
   * @param account the account
   * @param fromTier the tier before
   * @param toTier the tier after
   * @param effectiveAt when it takes effect
   * @param reference unique reference for this change
   */
  void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference);

  /**
   * Tells the billing system to stop charging from {@code effectiveAt}.
   *
   * @param account the account
   * @param effectiveAt when refills stop
   * @param reference unique reference for this cancellation
   */
  void cancelSubscription(AccountId account, Instant effectiveAt, String reference);

  /**
   * Returns a gateway that ignores every request, for hosts that drive billing themselves.
   *
   * @return a no-op gateway
   */
  static BillingGateway none() {
    return new BillingGateway() {
      @Override
      public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart,
          Instant cycleEnd, String reference) {}

      @Override
      public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {}

      @Override
      public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt,
          String reference) {}

      @Override
      public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {}
    };
  }
}
