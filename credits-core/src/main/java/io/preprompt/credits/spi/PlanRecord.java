package io.preprompt.credits.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan and subscription state, as core keeps it on the account row: plain fields a
 * store writes to columns (or any form it likes) and gives back unchanged. Core computes every field;
 * stores never interpret them.
 *
 * @param tier the id of the tier whose entitlements apply
 * @param status the subscription status, the name of a
 *     {@link io.preprompt.credits.plans.SubscriptionStatus} ({@code NONE}, {@code ACTIVE},
 *     {@code PAST_DUE})
 * @param signupGranted whether the signup grant was ever made
 * @param anchor the billing anchor (the start of cycle 0), or {@code null} without a subscription
 * @param paidCycle the last cycle refilled, -1 when none
 * @param cycleStartSequence the ledger sequence at the last refill (later entries belong to the cycle)
 * @param allowanceTotal allowance and proration credits granted for the current cycle
 * @param pendingTier the tier scheduled for the next cycle, or {@code null}
 * @param pendingAt when the pending tier applies, or {@code null}
 * @param cancelAt when a cancellation takes effect, or {@code null}
 * @param subscription the number of the current (or last) subscription, from 1; 0 before the first
 * @param requests how many payment references the account's orders, plan changes and cancellations took
 * @param charges subscription charges decided but not yet accepted by the billing gateway
 * @param orders pack orders waiting for their payment
 * @param renewalFailures renewals that failed in a row
 * @param renewalRetryAt when a failed renewal may be tried again, or {@code null}
 * @param topUp the automatic top-up's setting and state, or {@code null} when it was never enabled
 */
public record PlanRecord(String tier, String status, boolean signupGranted, @Nullable Instant anchor, long paidCycle,
    long cycleStartSequence, long allowanceTotal, @Nullable String pendingTier, @Nullable Instant pendingAt,
    @Nullable Instant cancelAt, long subscription, long requests, List<Charge> charges, List<Order> orders,
    int renewalFailures, @Nullable Instant renewalRetryAt, @Nullable TopUp topUp) {

  /**
   * Checks non-null fields and copies the lists.
   *
   * @param tier the id of the tier whose entitlements apply
   * @param status the subscription status's name
   * @param signupGranted whether the signup grant was ever made
   * @param anchor the billing anchor, or {@code null}
   * @param paidCycle the last cycle refilled, -1 when none
   * @param cycleStartSequence the ledger sequence at the last refill
   * @param allowanceTotal allowance and proration credits granted for the current cycle
   * @param pendingTier the tier scheduled for the next cycle, or {@code null}
   * @param pendingAt when the pending tier applies, or {@code null}
   * @param cancelAt when a cancellation takes effect, or {@code null}
   * @param subscription the number of the current (or last) subscription
   * @param requests how many payment references the account took
   * @param charges subscription charges not yet accepted by the billing gateway
   * @param orders pack orders waiting for their payment
   * @param renewalFailures renewals that failed in a row
   * @param renewalRetryAt when a failed renewal may be tried again, or {@code null}
   * @param topUp the automatic top-up's setting and state, or {@code null}
   */
  public PlanRecord {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(status, "status");
    charges = List.copyOf(charges);
    orders = List.copyOf(orders);
  }

  /**
   * A plan without an automatic top-up: the fields a store kept before top-ups existed.
   *
   * @param tier the id of the tier whose entitlements apply
   * @param status the subscription status's name
   * @param signupGranted whether the signup grant was ever made
   * @param anchor the billing anchor, or {@code null}
   * @param paidCycle the last cycle refilled, -1 when none
   * @param cycleStartSequence the ledger sequence at the last refill
   * @param allowanceTotal allowance and proration credits granted for the current cycle
   * @param pendingTier the tier scheduled for the next cycle, or {@code null}
   * @param pendingAt when the pending tier applies, or {@code null}
   * @param cancelAt when a cancellation takes effect, or {@code null}
   * @param subscription the number of the current (or last) subscription
   * @param requests how many payment references the account took
   * @param charges subscription charges not yet accepted by the billing gateway
   * @param orders pack orders waiting for their payment
   * @param renewalFailures renewals that failed in a row
   * @param renewalRetryAt when a failed renewal may be tried again, or {@code null}
   */
  public PlanRecord(String tier, String status, boolean signupGranted, @Nullable Instant anchor, long paidCycle,
      long cycleStartSequence, long allowanceTotal, @Nullable String pendingTier, @Nullable Instant pendingAt,
      @Nullable Instant cancelAt, long subscription, long requests, List<Charge> charges, List<Order> orders,
      int renewalFailures, @Nullable Instant renewalRetryAt) {
    this(tier, status, signupGranted, anchor, paidCycle, cycleStartSequence, allowanceTotal, pendingTier, pendingAt,
        cancelAt, subscription, requests, charges, orders, renewalFailures, renewalRetryAt, null);
  }

  /**
   * The automatic top-up of an account: its setting (kept, with the month's spend, after it is
   * turned off) and where it stands.
   *
   * @param packId the pack bought below the threshold, or {@code null} while the top-up is off
   * @param threshold buy when available credits fall below this
   * @param capMinor the most charged for top-ups in a calendar month, in minor units of the pack's currency
   * @param armed whether the next fall below the threshold buys (false from a purchase until
   *     available credits are back at or above the threshold)
   * @param month the start of the calendar month {@code spentMinor} counts, or {@code null} before any purchase
   * @param spentMinor what top-ups were charged in that month, in minor units
   * @param reference the payment reference of the top-up order waiting for its payment, or {@code null}
   * @param sendAt when the charge request for that order is to be sent (again), or {@code null} once
   *     the gateway accepted it
   * @param attempts how many times an instance took that request to send it
   * @param skippedAt when a fall below the threshold last bought nothing because of the cap, or {@code null}
   */
  public record TopUp(@Nullable String packId, long threshold, long capMinor, boolean armed, @Nullable Instant month,
      long spentMinor, @Nullable String reference, @Nullable Instant sendAt, int attempts,
      @Nullable Instant skippedAt) {}

  /**
   * A subscription charge core decided to ask the billing gateway for, kept until the gateway
   * accepts it.
   *
   * @param subscription the subscription's number
   * @param cycle the cycle charged for
   * @param tier the tier charged for
   * @param start when the cycle starts
   * @param end when it ends
   * @param reference the charge's payment reference
   * @param attempts how many times an instance took it to send it
   * @param claimed whether an instance has taken it and not yet said how the request went
   * @param notBefore when it may be taken (again)
   */
  public record Charge(long subscription, long cycle, String tier, Instant start, Instant end, String reference,
      int attempts, boolean claimed, Instant notBefore) {
    /**
     * Checks non-null fields.
     *
     * @param subscription the subscription's number
     * @param cycle the cycle charged for
     * @param tier the tier charged for
     * @param start when the cycle starts
     * @param end when it ends
     * @param reference the charge's payment reference
     * @param attempts how many times an instance took it to send it
     * @param claimed whether an instance has taken it and not yet said how the request went
     * @param notBefore when it may be taken (again)
     */
    public Charge {
      Objects.requireNonNull(tier, "tier");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
      Objects.requireNonNull(reference, "reference");
      Objects.requireNonNull(notBefore, "notBefore");
    }
  }

  /**
   * A pack order waiting for its payment.
   *
   * @param reference the payment reference the gateway was given
   * @param packId the pack ordered
   * @param priceMinor its price when ordered, in minor units of the currency
   * @param currency the price's currency
   * @param orderedAt when it was ordered
   */
  public record Order(String reference, String packId, long priceMinor, String currency, Instant orderedAt) {
    /**
     * Checks non-null fields.
     *
     * @param reference the payment reference the gateway was given
     * @param packId the pack ordered
     * @param priceMinor its price when ordered, in minor units of the currency
     * @param currency the price's currency
     * @param orderedAt when it was ordered
     */
    public Order {
      Objects.requireNonNull(reference, "reference");
      Objects.requireNonNull(packId, "packId");
      Objects.requireNonNull(currency, "currency");
      Objects.requireNonNull(orderedAt, "orderedAt");
    }
  }
}
